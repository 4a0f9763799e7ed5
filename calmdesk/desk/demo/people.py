# ruff: noqa: SIM905  (a line of names reads better than a column of them)
"""Who the demo customers are: names, their companies, what they pay and in which currency."""

from __future__ import annotations

FIRST_NAMES = tuple(
    (
        "Adan Amara Ben Carla Chen Dario Elif Emma Farah Femi Grace Hana Ines Ivan Jamal Jia Kofi "
        "Lea Lucas Maya Mateo Nadia Noah Olga Omar Priya Quinn Rosa Sam Sofia Tariq Uma Vera Wei "
        "Yara Zoe Aiko Bruno Chloe Diego Esra Felix Gita Hugo Isla Jonas Kira Leon"
    ).split()
)
LAST_NAMES = tuple(
    (
        "Abebe Almeida Brennan Castillo Dubois Eriksen Fischer Garcia Haddad Ito Jansen Kowalski "
        "Lindqvist Mensah Novak Okafor Park Quist Rossi Silva Tanaka Usman Varga Walsh Xu Yilmaz "
        "Zhang Moreau Nakamura O'Brien"
    ).split()
)
COMPANY_WORDS = tuple(
    (
        "Bramble Copper Driftwood Ember Fable Golden Harbor Juniper Kestrel Linden Maple Nimbus "
        "Orchard Pebble Quarry Rowan Saffron Thistle Umber Willow"
    ).split()
)
COMPANY_KINDS = tuple(
    "Bakery|Studio|Academy|Goods|Supply Co|Ceramics|Books|Yoga|Coffee|Labs".split("|")
)
# A customer pays in one of these (ISO 4217), most in dollars.
CURRENCIES = (("USD", 6), ("EUR", 3), ("GBP", 2))
PLANS = (
    ("Starter", "19.00"),
    ("Growth", "49.00"),
    ("Business", "129.00"),
    ("Education", "89.00"),
    ("", None),
)
