"""Money as people read it: the amount with its currency ("$49.00", "€49.00", "49.00 CHF")."""

from __future__ import annotations

from decimal import Decimal

# The currencies whose sign goes before the amount; any other ISO 4217 code follows it.
SYMBOLS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "INR": "₹",
    "CAD": "CA$",
    "AUD": "A$",
    "NZD": "NZ$",
    "BRL": "R$",
}


def format_money(amount: Decimal, currency: str) -> str:
    code = (currency or "USD").upper()
    digits = f"{amount:,.2f}"
    sign = SYMBOLS.get(code)
    return f"{sign}{digits}" if sign else f"{digits} {code}"
