# ruff: noqa: E501  (prose reads better unwrapped; these are sentences, not code)
"""The Billing and Partners mailboxes' stories: charged twice, payouts before payroll,
invoices, cancelling, and agencies asking before they move their clients."""

from __future__ import annotations

from calmdesk.desk.demo.story import Scenario, Story

DOUBLE_CHARGE = Scenario(
    key="double_charge",
    mailbox="billing",
    weight=7,
    tags=("billing", "refund"),
    notes=(
        "Refund approved by finance.",
        "Duplicate came from the payment retry bug, see BILL-{order}.",
    ),
    stories=(
        Story(
            subject="Charged twice!!",
            turns=(
                "You charged my card TWICE this month, {amount} on the 1st and again on the 3rd. I'm a freelancer, that's my rent money. I want it back today.",
                "You're right, and I'm sorry: our billing system retried a payment that had already gone through. I've refunded the second {amount} just now (refund reference re_5521). Banks usually show it within 3–5 working days, and I've stopped the retry on your account so it can't happen again.",
                "It's been three days and the money isn't back. My bank says there's nothing pending.",
                "I understand the worry. The refund left us on Tuesday; your bank can trace it with the reference re_5521 and the acquirer reference 74512839. If it hasn't arrived by Friday, tell me and I'll call our payment provider myself.",
            ),
            closing=("Refund arrived. Thanks for sorting it out.",),
        ),
        Story(
            subject="Two payments on the same day",
            turns=(
                "My bank statement shows two payments of {amount} to Fernhill on the same day. I only have one shop. Can you check please?",
                "Thank you for flagging it. I can see both payments: the second was made again when the bank's first answer timed out. It's refunded now (reference re_6630) and should show within 3–5 working days.",
            ),
            closing=("Got it, thank you.",),
        ),
        Story(
            subject="Charged after I cancelled",
            turns=(
                "This is ridiculous. I cancelled in October and you still took {amount} from my account. I have the cancellation email. Refund it or I'm disputing it with my bank.",
                "I'm sorry: if you cancelled, you shouldn't have been charged. Could you send me the cancellation email, or the reference in it? Then I can refund it straight away.",
                "Here's the cancellation confirmation: ticket CAN-20931, dated October 14.",
                "Thank you. I can see your cancellation on October 14, so the charge shouldn't have happened. The full {amount} is refunded (reference re_7710), and your account is closed as you asked.",
            ),
            closing=("Thanks. The refund showed up today.",),
        ),
        Story(
            subject="Thanks for charging me twice",
            turns=(
                "Wow, thanks for charging me twice for the same month. Really appreciate the extra {amount} gone from my account right before rent. Stellar billing system.",
                "I'm sorry: that's a real hit right before rent, and it was our mistake. The second charge came from a retry after our payment provider timed out; I've refunded it just now (reference re_8842). It usually shows in 3–5 working days, and I've asked the provider to hurry it along.",
            ),
            closing=("Got the refund. Thanks.",),
        ),
    ),
)

PAYROLL = Scenario(
    key="payroll",
    mailbox="billing",
    weight=4,
    tags=("payouts", "urgent"),
    notes=("Payout released as an instant transfer, fee waived.",),
    stories=(
        Story(
            subject="Payout missing and payroll is at 9am",
            turns=(
                "My weekly payout of $3,480 hasn't arrived. Payroll runs at 9am tomorrow and I have three employees to pay. If the money isn't there they don't get paid. What happened?",
                "I understand what's at stake, so here's exactly where it is: your bank returned the transfer, because the account number saved on Friday has a different last digit from the one before. Please check it under Settings → Payouts; as soon as it's right, I'll send the payout again as an instant transfer, which arrives within the hour.",
                "Oh no, you're right, I typed 7 instead of 1. Fixed it now.",
                "Thank you. I've sent the payout as an instant transfer, with no fee, and our provider shows it left at 6:42pm. It will be in your account well before 9am.",
            ),
            closing=("It's there. Payroll went out on time. Thank you so much.",),
        ),
        Story(
            subject="Payouts late two weeks in a row",
            turns=(
                "Second week in a row the payout is a day late. I pay my staff every Friday at 9am from this money. I need to know it'll be there.",
                "That's fair to ask. The delay came from the bank holiday on Monday pushing every payout back a day; it wasn't your account alone, but it lands on you all the same. I've moved your payouts to Wednesdays, so even in a holiday week they arrive before Friday morning.",
            ),
            closing=("That works. Thanks for moving it.",),
        ),
    ),
)

INVOICE = Scenario(
    key="invoice",
    mailbox="billing",
    weight=6,
    tags=("billing",),
    stories=(
        Story(
            subject="VAT number on invoice INV-{order}",
            turns=(
                "Could you add our VAT number (DE 813 204 556) to invoice INV-{order}? Our accountant needs it for the quarter.",
                "Done: INV-{order} now shows your VAT number, and every new invoice will too. You can download it under Settings → Billing → Invoices.",
                "Thanks. Could you also add it to September's invoice?",
                "Of course: September's invoice shows the same VAT number now.",
            ),
            closing=("Perfect, thank you.",),
        ),
        Story(
            subject="Invoices for my tax return",
            turns=(
                "Where can I download my invoices for the last 12 months? I need them for my tax return.",
                'All your invoices are under Settings → Billing → Invoices; the "Download all" button at the top gives you a ZIP of the last 12 months.',
            ),
            closing=("Got them, thanks!",),
        ),
        Story(
            subject="Change billing email",
            turns=(
                "Please send future invoices to accounts@{domain} instead of my personal address.",
                "Done: from the next invoice on, they go to accounts@{domain}. Your personal address keeps receiving sign-in emails only.",
            ),
            closing=("Thanks!",),
        ),
        Story(
            subject="Company name on our invoices",
            turns=(
                "We need our invoices to show our company name, {company}, rather than my name.",
                "Of course. I've set the billing name to {company}; last month's invoice is issued again with it, and future invoices will show it too.",
            ),
            closing=("Great, thank you.",),
        ),
    ),
)

CANCEL = Scenario(
    key="cancel",
    mailbox="billing",
    weight=5,
    tags=("churn",),
    notes=("Long-time customer. Don't push a discount; answer the question asked.",),
    stories=(
        Story(
            subject="Cancel: the price went up 40% without a word",
            turns=(
                "I want to cancel. The price went up 40% and nobody told us. We've been customers for four years and this is how you treat us.",
                "Four years: thank you for that, and I'm sorry the price change reached you as a surprise. If you still want to cancel, I'll do it today, no questions asked. If it helps, the Starter plan covers everything your shop used last quarter for less than you paid before the change.",
                "I don't want a discount, I want to understand why nobody told us.",
                "That's fair. The announcement went out on September 2 to billing addresses only, and yours still pointed to someone who left your team in 2023. We should also have shown it in the dashboard, and from now on price changes will be. I've changed the billing address to yours.",
                "OK, I'll try the Starter plan for three months and see.",
                "Done: you're on Starter from today, and the difference for the rest of this month is credited to your account.",
            ),
            closing=("Thanks for being honest about it.",),
        ),
        Story(
            subject="Please cancel at the end of the month",
            turns=(
                "Please cancel my subscription at the end of the month. Sales have been slow and I can't justify {amount} a month right now.",
                "I understand, and I'm sorry slow times are hitting you. I've set the subscription to end on the last day of the month; your shop stays online until then, and your data is kept for 90 days in case you come back.",
            ),
            closing=("Thanks for making it easy.",),
        ),
        Story(
            subject="How do I downgrade?",
            turns=(
                "How do I downgrade to the Starter plan? I don't use half the features.",
                "Under Settings → Billing → Plan, choose Starter and confirm. The change takes effect at your next renewal, and your shop keeps everything it uses today.",
            ),
            closing=("Done, thanks.",),
        ),
        Story(
            subject="Thinking of leaving: the shop is slow on phones",
            turns=(
                "We're thinking of moving to another platform. The shop is too slow on mobile and our conversion dropped. Before we go, is there anything you can do?",
                'Thank you for telling us before leaving. I ran your home page through a phone test: it loads in 6.8 seconds, mostly because of twelve uncompressed photos in the top banner (about 28 MB). Turning on "Optimise images" under Settings → Speed brings it under 2 seconds in my test.',
                "Turned it on. It feels much faster. I'll watch conversion for a couple of weeks.",
                "Good to hear. I'll write to you in two weeks, and we can compare conversion before and after together.",
            ),
            closing=("Conversion is back up. We're staying.",),
        ),
    ),
)

PARTNER_QUESTION = Scenario(
    key="partner_question",
    mailbox="partners",
    weight=5,
    tags=("sales",),
    stories=(
        Story(
            subject="Agency partnership",
            turns=(
                "We're a 40-person agency building shops for local retailers. We'd like to move about 30 clients to Fernhill next year. Do you have partner pricing, and can we manage all stores from one account?",
                "Thanks for thinking of us! Yes: the partner plan lets you manage every client store from one login, with 20% off each store's plan. I'd love to hear more about your clients. Would a 30-minute call this week work?",
                "Great, a call on Thursday at 3pm CET works for us.",
                "Booked: Thursday at 3pm CET, the invitation is in your inbox. I'll bring a partner sandbox so your team can try it the same day.",
            ),
            closing=("Thanks, talk Thursday.",),
        ),
        Story(
            subject="Migrating a 12,000-product WooCommerce shop",
            turns=(
                "We're evaluating Fernhill for a client with 12,000 products on WooCommerce. How long does a migration like that usually take, and do you help with it?",
                "A catalogue of 12,000 products usually takes two to three days to import and check. Our migration team does the first pass for free on plans above Business, and the old product addresses keep working through redirects.",
                "Thanks. What about single sign-on for our team?",
                "Single sign-on with Google Workspace and Microsoft Entra is included on Business and above: your team signs in with their work accounts, and you remove someone's access in one place.",
            ),
            closing=("Perfect, we'll go ahead with the trial.",),
        ),
        Story(
            subject="Do you offer an API sandbox?",
            turns=(
                "Is there a sandbox for the API where we can test orders without real payments?",
                "Yes: every account has one under Settings → Developers → Sandbox. The test cards are listed there too, and orders in the sandbox never charge anyone.",
            ),
            closing=("Found it, thanks.",),
        ),
    ),
)

BILLING: tuple[Scenario, ...] = (DOUBLE_CHARGE, PAYROLL, INVOICE, CANCEL, PARTNER_QUESTION)
