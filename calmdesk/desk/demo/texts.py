# ruff: noqa: E501  (prose reads better unwrapped; these are sentences, not code)
"""The words of the demo desk. Customers write to Fernhill, a made-up platform for online
shops and courses. Each scenario is a situation a real support team meets; each of its
stories is one conversation told in order (the customer writes, the agent answers that
message, the customer answers the agent...), so any prefix of a story reads as a thread,
and a closed thread is the whole story with the customer's last word. A body belongs to one
story and one subject, and a story is written in one language, its greetings and sign-offs
too: the demo must not read as shuffled templates.

Placeholders ({name}, {agent}, {version}, ...) are filled by the generator."""

from __future__ import annotations

from calmdesk.desk.demo.billing_stories import BILLING
from calmdesk.desk.demo.story import Scenario, Story  # noqa: F401  (callers say texts.Story)
from calmdesk.desk.demo.support_stories import SUPPORT

GREETINGS = {
    "en": ("Hi,", "Hello,", "Hi there,", "Hey Fernhill team,", "Good morning,", ""),
    "es": ("Hola,", "Buenos días,", ""),
    "de": ("Hallo,", "Guten Tag,", ""),
    "fr": ("Bonjour,", "Bonjour à toute l'équipe,", ""),
    "it": ("Buongiorno,", "Salve, gentile team di Fernhill,", ""),
}
SIGN_OFFS = {
    "en": (
        "Thanks,\n{name}",
        "{name}",
        "Regards,\n{full_name}",
        "Best,\n{name}",
        "— {name}",
        "Cheers, {name}",
        "",
    ),
    "es": ("Gracias,\n{name}", "Saludos,\n{full_name}", ""),
    "de": ("Viele Grüße\n{full_name}", "Danke,\n{name}", ""),
    "fr": ("Merci,\n{name}", "Cordialement,\n{full_name}", ""),
    "it": ("Grazie,\n{name}", "Cordiali saluti,\n{full_name}", ""),
}
NAMELESS_SIGN_OFFS = {
    "en": ("Thanks", "Sent from my phone", ""),
    "es": ("Gracias", ""),
    "de": ("Danke", ""),
    "fr": ("Merci", ""),
    "it": ("Grazie", ""),
}
AGENT_HELLOS = {
    "en": "Hi {name},",
    "es": "Hola {name}:",
    "de": "Hallo {name},",
    "fr": "Bonjour {name},",
    "it": "Buongiorno {name},",
}
AGENT_NAMELESS_HELLOS = {
    "en": "Hi there,",
    "es": "Hola:",
    "de": "Guten Tag,",
    "fr": "Bonjour,",
    "it": "Buongiorno,",
}
AGENT_SIGN_OFFS = {
    "en": (
        "Best,\n{agent}",
        "Warmly,\n{agent}",
        "{agent}\nFernhill Support",
        "Talk soon,\n{agent}",
    ),
    "es": ("Un saludo,\n{agent}", "{agent}\nSoporte de Fernhill"),
    "de": ("Viele Grüße\n{agent}", "{agent}\nFernhill Support"),
    "it": ("Cordiali saluti,\n{agent}", "{agent}\nAssistenza Fernhill"),
    "fr": ("Bien à vous,\n{agent}", "Cordialement,\n{agent}"),
}
# A waiting customer writing again before anyone answered.
CHASERS = {
    "en": (
        "Any update on this?",
        "Hello? Is anyone looking at this?",
        "Just following up on my message above.",
        "Still waiting to hear back on this one.",
    ),
    "es": ("¿Hay alguna novedad sobre esto?",),
    "de": ("Gibt es hierzu schon Neuigkeiten?",),
    "it": ("Ci sono novità sulla mia richiesta?",),
    "fr": ("Avez-vous du nouveau à ce sujet ?",),
}

VERSIONS = ("4.2.1", "4.2.0", "4.1.7", "4.3.0", "5.0.0-beta.2")
BROWSERS = (
    "Chrome 131 on Windows 11",
    "Safari 18.1 on macOS 15.1",
    "Firefox 133 on Ubuntu 24.04",
    "Edge 131",
    "the iOS app 2.8.3 on an iPhone 13",
    "the Android app 2.8.1 on a Pixel 7",
)
AMOUNTS = ("$49.00", "$129.00", "€89.00", "£240.00", "$19.00")  # for customers with no plan
COURSES = (
    "Organic Chemistry II",
    "Intro to Statistics",
    "Spanish B1",
    "Data Structures",
    "Nursing Pharmacology",
    "Art History 201",
)

SCENARIOS: tuple[Scenario, ...] = (*SUPPORT, *BILLING)

SPAM = (
    (
        "Boost your SEO ranking today",
        "Dear Sir/Madam, we can put your website on the first page of Google in 7 days. 100% guaranteed. Reply YES for a free audit.",
    ),
    (
        "Partnership opportunity!!!",
        "Hello dear, I have a business proposal worth $4.5M that requires a trusted partner. Kindly reply with your full name and phone number.",
    ),
    (
        "Your invoice is overdue",
        "Please open the attached document to see your overdue invoice. Click here: http://bit.example/inv-77",
    ),
    ("Cheap followers", "Get 10k real Instagram followers for $9.99. Limited time offer."),
)

SAVED_REPLIES = (
    (
        "Asking for steps to reproduce",
        "support",
        "Hi {customer.first_name}, thanks for letting us know. So I can see exactly what you see, could you tell me:\n\n1. What you clicked, step by step\n2. What you expected to happen\n3. What happened instead (a screenshot helps)\n4. Your browser and device\n\nBest, {agent.name}",
    ),
    (
        "Refund issued",
        "billing",
        "Hi {customer.first_name},\n\nI've refunded the payment just now. Banks usually show it within 3–5 working days; if it hasn't appeared by then, reply here (conversation #{conversation.number}) and I'll chase it.\n\n{agent.name}, {mailbox.name}",
    ),
    (
        "Offering a screen share",
        None,
        "Would a 15-minute screen share help? I can walk through it with you, and you won't have to describe anything in writing. Here's a link to pick a time that suits you: https://fernhill.example/call",
    ),
    (
        "Known issue, we'll update you",
        None,
        "You're not alone with this — it's a known problem that our engineers are working on right now. I've linked your conversation to it, so you'll hear from me as soon as it's fixed.",
    ),
    (
        "Invoices location",
        "billing",
        'All invoices are under Settings → Billing → Invoices; the "Download all" button gives you a ZIP of the last 12 months.',
    ),
)
