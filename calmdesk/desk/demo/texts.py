# ruff: noqa: E501  (prose reads better unwrapped; these are sentences, not code)
"""The words of the demo desk. Customers write to Fernhill, a made-up platform for online
shops and courses. Each scenario is a situation a real support team meets, written so the
empathy engine has something true to read: anger with facts inside it, fear, gratitude,
first-time confusion, high stakes, long back-and-forths, error messages and versions.

Placeholders ({name}, {agent}, {version}, ...) are filled by the generator."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    key: str
    mailbox: str  # slug
    weight: int
    subjects: tuple[str, ...]
    openings: tuple[str, ...]
    follow_ups: tuple[str, ...]
    replies: tuple[str, ...]
    tags: tuple[str, ...] = ()
    closing: tuple[str, ...] = ()  # the customer's last word on a closed conversation


GREETINGS = (
    "Hi,",
    "Hello,",
    "Hi there,",
    "Hey Fernhill team,",
    "Good morning,",
    "To whom it may concern,",
    "",
)
SIGN_OFFS = (
    "Thanks,\n{name}",
    "{name}",
    "Regards,\n{full_name}",
    "Best,\n{name}",
    "— {name}",
    "Cheers, {name}",
    "",
)
AGENT_SIGN_OFFS = (
    "Best,\n{agent}",
    "Warmly,\n{agent}",
    "{agent}\nFernhill Support",
    "Talk soon,\n{agent}",
)

VERSIONS = ("4.2.1", "4.2.0", "4.1.7", "3.9.12", "5.0.0-beta.2", "4.3.0")
BROWSERS = (
    "Chrome 131 on Windows 11",
    "Safari 18.1 on macOS 15.1",
    "Firefox 133 on Ubuntu 24.04",
    "Edge 131",
    "the iOS app 2.8.3 on an iPhone 13",
    "the Android app 2.8.1 on a Pixel 7",
)
ERRORS = (
    "ERR_SYNC_TIMEOUT (code 504)",
    "PaymentIntent failed: card_declined (generic_decline)",
    "TypeError: Cannot read properties of undefined (reading 'variantId')",
    "Upload failed: 413 Request Entity Too Large",
    "SMTP 550 5.7.1 Message rejected as spam",
    "Webhook delivery failed after 5 attempts: connection reset by peer",
    "Error 1020: Access denied",
    "Import stopped at row 1,204: invalid date '31/02/2024'",
    "DNS_PROBE_FINISHED_NXDOMAIN",
    "Certificate for shop.{domain} expired on 2026-11-19",
)
PRODUCTS = (
    "checkout",
    "course player",
    "product import",
    "discount codes",
    "the booking calendar",
    "the mobile app",
    "email receipts",
    "custom domain",
    "inventory sync",
    "the quiz builder",
)
AMOUNTS = ("$49.00", "$129.00", "€89.00", "£240.00", "$1,188.00", "$19.00")
COURSES = (
    "Organic Chemistry II",
    "Intro to Statistics",
    "Spanish B1",
    "Data Structures",
    "Nursing Pharmacology",
    "Art History 201",
)

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        key="checkout_down",
        mailbox="support",
        weight=9,
        tags=("outage", "urgent"),
        subjects=(
            "CHECKOUT IS DOWN",
            "Customers can't pay — losing sales right now",
            "Checkout broken since this morning!!",
            "Urgent: orders stopped completely",
            "Is Fernhill down?? My store can't take payments",
        ),
        openings=(
            "My checkout has been broken for three hours. Customers add things to the cart and then get a blank page. This is Black Friday weekend and I am losing hundreds of dollars every hour. I need someone on this NOW.",
            'Nobody can pay on my store. The payment step spins and then shows "{error}". I haven\'t changed anything. We do most of our sales on weekends and this is a disaster for a business our size.',
            "This is the second time this month. Orders dropped to zero at 9:40 this morning. I pay for the Business plan precisely so this doesn't happen. If it isn't fixed today I am moving the shop elsewhere, I can't keep apologising to my customers.",
            "I run a small bakery shop on Fernhill and the checkout button does nothing on phones. Desktop works. Most of my customers order from their phones. We have 40 cake orders due for the weekend and people are calling me instead.",
            "Honestly I can't believe this. Checkout is completely dead, the status page says everything is fine, and your chat bot keeps sending me help articles. I've lost at least $2,000 in sales today. Is anyone actually reading this?",
        ),
        follow_ups=(
            "It's been 4 hours. Still broken. Still losing money.",
            "I tried clearing the cache like you said. Same blank page. Version shown in the footer is {version}.",
            "Hello?? Any update? My customers are emailing me asking if the shop is a scam.",
            "OK, it works on Chrome now but still not on Safari. Screenshot of the console: {error}",
            "I appreciate the quick answer, but I need to know when it will be fixed, not that you're looking into it.",
        ),
        replies=(
            "Hi {name},\n\nI'm sorry — a dead checkout on your busiest weekend is the worst timing, and I understand every hour costs you real orders. I've reproduced it on your store: the payment step fails on {browser}. Our engineers are on it now and I'll write to you the moment it's fixed, or in one hour with an update either way.\n\n{sign_off}",
            "Hi {name},\n\nThank you for the details and the error text, they made this much faster to find. The problem came from a change we shipped this morning to the payment step; it's rolled back now and I placed a test order on your store that went through. Could you check that orders arrive on your side too?\n\n{sign_off}",
            "Hi {name},\n\nThat's on us, and I'm sorry for the lost sales. Checkout is working again as of 14:05. I've added a note to your account so the team can look at a credit for today. If anything looks off, reply here and it comes straight to me.\n\n{sign_off}",
            "Hi {name},\n\nI've tested your store on a phone and I can see the button doing nothing, so you're not imagining it. While we fix it, customers can still order from a desktop, or you can switch on the simple checkout under Settings → Payments, which isn't affected. I'll update you by 3pm.\n\n{sign_off}",
        ),
        closing=(
            "It's working. Thank you for staying on it with me today.",
            "Orders are coming in again. Thanks, and please make sure this doesn't happen again on a weekend.",
        ),
    ),
    Scenario(
        key="data_lost",
        mailbox="support",
        weight=6,
        tags=("bug", "urgent"),
        subjects=(
            "All my products disappeared after the update",
            "Did I just delete everything??",
            "Lost my customer list — please help",
            "Course content gone",
        ),
        openings=(
            "I'm really scared right now. After updating to {version} last night, all 340 of my products show as empty. The titles are there but no prices, no photos. I have backups of nothing. Please tell me this can be recovered.",
            'I think I did something terrible. I clicked "Merge duplicates" on my customer list and now I only see 12 customers instead of about 2,000. I can\'t sleep. Is there any way to undo this?',
            "My whole course (14 lessons, 3 months of work) shows \"No content yet\" since this morning. Students are messaging me that they can't access anything. I'm shaking, this course is my income.",
            "Hi, sorry if this is a stupid question, but my orders from last week are gone from the dashboard. Did they get deleted? I need them for my taxes by Friday.",
        ),
        follow_ups=(
            "Sorry to write again, I just need to know if it's recoverable at all. Even partially.",
            "I found an export from September if that helps? It's a CSV with 290 rows.",
            "Thank you. I'll wait. Please don't forget about me.",
            "Some products came back but without variants. Is that expected?",
        ),
        replies=(
            "Hi {name},\n\nFirst, the good news: nothing is deleted. We keep every change for 30 days, and I can see all 340 products in the history of your store. I'm restoring them now; it takes about 20 minutes. I'll confirm here when it's done.\n\n{sign_off}",
            'Hi {name},\n\nThat sounds really frightening, and it\'s not a stupid question at all. Your data is safe: the orders are hidden by a date filter that the update switched on. Go to Orders, click "Filters" and choose "All time" — they should all be back. If they\'re not, tell me and I\'ll look myself.\n\n{sign_off}',
            "Hi {name},\n\nI'm sorry you had such a night. I reproduced the problem on a copy of your store: the {version} update broke the link between products and their prices. Engineering has a fix; I've restored your catalogue from last night's snapshot in the meantime. Can you check a few products and tell me whether anything is still missing?\n\n{sign_off}",
        ),
        closing=(
            "Everything is back. I could cry. Thank you so much.",
            "All there. Thank you for being so kind about it.",
        ),
    ),
    Scenario(
        key="student_deadline",
        mailbox="support",
        weight=5,
        tags=("urgent", "courses"),
        subjects=(
            "Can't submit my assignment — deadline tonight",
            "Quiz won't load, I'll fail the class",
            "Locked out of my course the day of the exam",
            "Upload keeps failing",
        ),
        openings=(
            "I'm a student in {course} and the upload for my final assignment keeps failing with \"{error}\". It's due at midnight. If it's late I lose 30% and I'll have to drop the class, which means losing my scholarship. Please help.",
            "The quiz for {course} won't load, it just spins. I've tried three browsers. My professor says it's a platform problem and to contact you. The quiz closes in 2 hours. I'm panicking.",
            "I paid for the course and now it says my access expired?? The exam is tomorrow morning. I really can't afford to buy it again and I can't fail this, I'm already on academic probation.",
            "hi sorry my english is not so good. I cannot open the lesson 7 video, it say error. exam is friday. what i do?",
        ),
        follow_ups=(
            "Still failing. I'm going to email my professor a copy just in case, but I need it to be in the system.",
            "It's 11:20pm. Please.",
            "I tried the smaller file like you said, the upload finished! Does the professor see it with the right time?",
        ),
        replies=(
            "Hi {name},\n\nI know how much rides on this. Your file is 212 MB and the limit is 200 MB, which is why it fails. Two ways forward: export the PDF with \"reduce file size\", or send it to me here and I'll attach it to your submission with tonight's timestamp. I've also told your instructor what happened so the time is on record.\n\n{sign_off}",
            "Hi {name},\n\nYour access was ended by mistake when the school renewed its licence — not by anything you did. I've restored it until the end of the term. You should be able to open the exam now; if not, reply and I'll stay online until it works.\n\n{sign_off}",
            "Hi {name},\n\nNo problem at all, your message is clear. The video for lesson 7 had a broken link. It's fixed now — please reload the page. Good luck on Friday!\n\n{sign_off}",
        ),
        closing=(
            "It went through at 11:48. Thank you, I was really going to drop this class. You saved my semester.",
            "Submitted!! Thank you thank you thank you.",
        ),
    ),
    Scenario(
        key="bug_report",
        mailbox="support",
        weight=10,
        tags=("bug",),
        subjects=(
            "Inventory sync fails with {error_short}",
            "Bug: discount codes applied twice",
            "Webhook deliveries failing since {version}",
            "CSV import stops at row 1,204",
            "API returns 500 on /v2/orders",
        ),
        openings=(
            'Hi,\n\nSince upgrading to {version}, the inventory sync fails every night.\n\nError: {error}\nEnvironment: Fernhill {version}, Shopify connector 2.3.0, {browser}\n\nSteps to reproduce:\n1. Go to Settings → Integrations → Inventory\n2. Click "Sync now"\n3. Wait about 90 seconds\n\nExpected: stock levels update.\nActual: the job stops and the log shows the error above.\n\nIt worked on 4.1.7. Let me know if you need logs.',
            'Found a reproducible bug: a discount code with "applies once per order" is applied twice if the cart has two variants of the same product. Example: order #{order}, code SPRING20, subtotal {amount}, discount applied 2×20%. Using {browser}.',
            'Our webhook endpoint stopped receiving order.created events after {version}. Your dashboard shows "{error}". Our server logs show no incoming requests at all from your IP range. Nothing changed on our side; curl from outside works fine.',
            'GET /v2/orders?updated_since=2026-11-01T00:00:00Z returns HTTP 500 with body {{"error": "internal"}}. Without the parameter it works. Request id: req_8f3a91c2. We call it every 5 minutes, so our warehouse is now out of date.',
            'Importing products from CSV stops with "{error}". The file is UTF-8, 3,400 rows, exported from WooCommerce. Row 1,204 looks normal to me. Attaching the file.',
        ),
        follow_ups=(
            "More info: it only happens when the product has more than 100 variants.",
            "Tried on {version} this morning, same error. Full log line: {error} at sync_worker.py:212",
            "Any news? We're syncing by hand every morning, which takes an hour.",
            "Confirmed fixed on our side, the 500s stopped at 10:12 UTC.",
            "As I said in my first message, nothing changed on our side. Can you please escalate this to someone technical?",
        ),
        replies=(
            "Hi {name},\n\nThank you — the steps and versions made this quick to reproduce. I see the same failure on {version} with more than 100 variants; it's a pagination bug in the sync. I've filed it as a bug with your example attached, and I'll tell you when the fix ships (the team expects early next week). Until then, syncing in smaller batches under Settings → Inventory → Advanced avoids it.\n\n{sign_off}",
            "Hi {name},\n\nI tried this on a test store with {browser} and couldn't make it happen with one variant — could you tell me which payment method the customer used on order #{order}? That will help me reproduce it exactly.\n\n{sign_off}",
            "Hi {name},\n\nYou were right: our outbound IP range changed in {version} and your firewall allow-list still has the old one. That's our fault for not announcing it. The new range is in the docs under Webhooks → IP addresses. Once it's added, the failed deliveries can be replayed from the dashboard.\n\n{sign_off}",
            "Hi {name},\n\nThanks for the request id, that found it in one search. The updated_since filter breaks on timestamps with a Z suffix; a fix is deployed now and your request returns 200 on my side. Sorry for the warehouse trouble this caused.\n\n{sign_off}",
        ),
        closing=("Works now. Thanks for the quick fix.", "Confirmed, all good on our side."),
    ),
    Scenario(
        key="confused_first_timer",
        mailbox="support",
        weight=8,
        tags=("onboarding",),
        subjects=(
            "How do I start?",
            "Where is my shop??",
            "question about the domain thing",
            "I don't understand the setup",
            "help",
        ),
        openings=(
            "Hello, I just signed up and I don't understand what to do next. There are so many menus. I just want to sell my knitted hats. Where do I put the pictures?",
            "Hi, I bought a domain from you but my shop still shows the old address. What is a CNAME? I'm not a technical person, sorry.",
            "I think I made the shop but I can't find it? When I type the name in Google nothing comes up. Did I do something wrong?",
            "This is my first time selling online. How do I get paid? Do I need a bank account in the US? I live in Portugal.",
            "sorry for the dumb question but what is the difference between a product and a variant",
        ),
        follow_ups=(
            'Thank you! Where is the "Products" menu? I only see Home and Settings.',
            'I did the steps but it still says "pending verification". How long does it take?',
            "Ok I think I understand now. One more question: can I sell to people in Spain too?",
            "Sorry, I'm lost again. What is DNS?",
        ),
        replies=(
            "Hi {name},\n\nWelcome to Fernhill — and not a dumb question at all. To add your hats: click Products on the left, then \"Add product\". Drag your photos into the big box at the top. Give it a name and a price, and press Save. That's it; it appears in your shop straight away. If you'd like, I can do a 15-minute screen share to walk through it together.\n\n{sign_off}",
            'Hi {name},\n\nA CNAME is just a signpost that tells the internet "this address lives at Fernhill". You don\'t need to understand it to set it up: in your domain settings, add one record with name "shop" and value "stores.fernhill.example". I\'ve recorded a 2-minute video showing exactly where to click: https://help.fernhill.example/v/cname\n\n{sign_off}',
            "Hi {name},\n\nYour shop exists and looks lovely! Google takes a few days to a few weeks to list new sites, so searching for it won't find it yet. Your address is https://{shop}.fernhill.example — you can share that link today.\n\n{sign_off}",
        ),
        closing=(
            "That's so helpful, thank you for being patient with me!",
            "Got it working. Thanks!",
        ),
    ),
    Scenario(
        key="grateful",
        mailbox="support",
        weight=4,
        tags=("thank-you",),
        subjects=(
            "Thank you!",
            "Just wanted to say thanks",
            "You made my week",
            "Kudos to {agent}",
        ),
        openings=(
            "I just wanted to say thank you to {agent} who helped me last week with the import. I was ready to give up on the whole shop, and now we've had our best month ever.",
            "No question, just a thank you. Your team fixed my checkout on a Sunday night and I know that's not fun. It meant a lot to a tiny business like ours.",
            "Thanks to your help with the course setup, 45 students finished the program this term. One of them told me she was going to drop out before the new lessons. So thank you, really.",
        ),
        follow_ups=("And one small thing while I'm here: is there a way to export the reviews?",),
        replies=(
            "Hi {name},\n\nThis made my day — thank you for taking the time. I've passed it on to {agent} and the whole team. Best month ever is wonderful news; here's to many more.\n\n{sign_off}",
            "Hi {name},\n\nThank you so much for writing. It's really good to hear the students made it. I've shared your message with the team.\n\n{sign_off}",
        ),
    ),
    Scenario(
        key="double_charge",
        mailbox="billing",
        weight=7,
        tags=("billing", "refund"),
        subjects=(
            "Charged twice!!",
            "Double charge on my card",
            "Why was I billed {amount} two times?",
            "Unauthorised charge",
        ),
        openings=(
            "You charged my card TWICE this month, {amount} on the 1st and again on the 3rd. I'm a freelancer, that's my rent money. I want it back today.",
            "Hi, my bank statement shows two payments of {amount} to Fernhill on the same day. I only have one shop. Can you check please?",
            "This is ridiculous. I cancelled in October and you still took {amount} from my account. I have the cancellation email. Refund it or I'm disputing it with my bank.",
        ),
        follow_ups=(
            "It's been three days and the money isn't back.",
            "Here's the cancellation confirmation: ticket CAN-20931, dated October 14.",
            "My bank says the refund hasn't arrived. Can you send me a confirmation number?",
        ),
        replies=(
            "Hi {name},\n\nYou're right, and I'm sorry — our billing system retried a payment that had already gone through. I've refunded the second {amount} just now (refund reference re_5521). Banks usually show it within 3–5 working days. I've also added a note to your account so it can't happen again.\n\n{sign_off}",
            "Hi {name},\n\nThank you for sending the confirmation. I can see your cancellation on October 14, so the charge shouldn't have happened. The full {amount} is refunded (reference re_7710) and your account is closed as you asked.\n\n{sign_off}",
        ),
        closing=("Got it, thank you.", "Refund arrived. Thanks for sorting it out."),
    ),
    Scenario(
        key="invoice",
        mailbox="billing",
        weight=6,
        tags=("billing",),
        subjects=(
            "VAT number on invoice",
            "Invoice for October",
            "Receipt with company address",
            "Change billing email",
        ),
        openings=(
            "Hello, could you add our VAT number (DE 813 204 556) to invoice INV-{order}? Our accountant needs it for the quarter.",
            "Hi, where can I download invoices for the last 12 months? I need them for my tax return.",
            "Please send future invoices to accounts@{domain} instead of my personal address.",
            "We need the invoice to show our company name, {company}, rather than my name.",
        ),
        follow_ups=("Thanks. Could you also do the same for September?", "Perfect, thank you."),
        replies=(
            "Hi {name},\n\nDone — INV-{order} now shows your VAT number, and every new invoice will too. You can download it under Settings → Billing → Invoices.\n\n{sign_off}",
            'Hi {name},\n\nAll your invoices are under Settings → Billing → Invoices; the "Download all" button at the top gives you a ZIP of the last 12 months.\n\n{sign_off}',
        ),
        closing=("Thanks!",),
    ),
    Scenario(
        key="cancel",
        mailbox="billing",
        weight=5,
        tags=("churn",),
        subjects=("Cancel my subscription", "I want to cancel", "Thinking of leaving", "Downgrade"),
        openings=(
            "I want to cancel. The price went up 40% and nobody told us. We've been customers for four years and this is how you treat us.",
            "We're thinking of moving to another platform. The shop is too slow on mobile and our conversion dropped. Before we go, is there anything you can do?",
            "Please cancel my subscription at the end of the month. Sales have been slow and I can't justify {amount} a month right now.",
            "How do I downgrade to the Starter plan? I don't use half the features.",
        ),
        follow_ups=(
            "I don't want a discount, I want to understand why nobody told us.",
            "OK, I'll try the Starter plan for three months and see.",
            "Thanks for being honest about it.",
        ),
        replies=(
            "Hi {name},\n\nFour years — thank you for that, and I'm sorry the price change reached you as a surprise; the announcement email went to an old address on your account, which is our miss. If you still want to cancel, I'll do it today with no questions. If it helps, the Starter plan covers everything your shop used last quarter at {amount} less a month.\n\n{sign_off}",
            "Hi {name},\n\nI understand, and I'm sorry slow times are hitting you. I've set the subscription to end on the last day of the month; your shop stays online until then, and your data is kept for 90 days in case you come back.\n\n{sign_off}",
        ),
        closing=("Thanks for making it easy.",),
    ),
    Scenario(
        key="partner_question",
        mailbox="partners",
        weight=5,
        tags=("sales",),
        subjects=(
            "Agency partnership",
            "Pricing for 30 stores",
            "Migration from WooCommerce",
            "Do you offer an API sandbox?",
        ),
        openings=(
            "Hi! We're a 40-person agency building shops for local retailers. We'd like to move about 30 clients to Fernhill next year. Do you have partner pricing, and can we manage all stores from one account?",
            "We're evaluating Fernhill for a client with 12,000 products on WooCommerce. How long does a migration like that usually take, and do you help with it?",
            "Is there a sandbox for the API where we can test orders without real payments?",
        ),
        follow_ups=(
            "Great, a call on Thursday at 3pm CET works for us.",
            "Thanks. What about SSO for our team?",
        ),
        replies=(
            "Hi {name},\n\nThanks for thinking of us! Yes: the partner plan lets you manage every client store from one login, with 20% off each store's plan. I'd love to hear more about your clients — would a 30-minute call this week work?\n\n{sign_off}",
            "Hi {name},\n\nA catalogue of 12,000 products usually takes two to three days to import and check. Our migration team does the first pass for free on plans above Business. Every account also gets a sandbox: Settings → Developers → Sandbox.\n\n{sign_off}",
        ),
        closing=("Thanks, talk Thursday.",),
    ),
    Scenario(
        key="feature_request",
        mailbox="support",
        weight=4,
        tags=("feature-request",),
        subjects=(
            "Feature request: gift cards",
            "Could you add dark mode?",
            "Suggestion for the course player",
            "Bulk edit prices?",
        ),
        openings=(
            "Love the platform. One thing we really miss is gift cards — customers ask for them every December. Any plans?",
            "Would it be possible to edit prices in bulk? Changing 200 products one by one for a sale took me a whole evening.",
            "Suggestion: let students speed up videos to 1.75×. Many of mine ask for it.",
        ),
        follow_ups=("Thanks, I'll keep an eye on the changelog.",),
        replies=(
            "Hi {name},\n\nThank you for the suggestion — you're not the first to ask, and I've added your shop to the request so the product team sees how many people need it. In the meantime, the CSV export/import lets you change many prices at once: export, edit the price column, import.\n\n{sign_off}",
        ),
        closing=("Good to know, thanks.",),
    ),
    Scenario(
        key="repeat_frustrated",
        mailbox="support",
        weight=5,
        tags=("bug", "escalated"),
        subjects=(
            "Still not fixed",
            "Third time asking",
            "RE: emails not sending",
            "Nobody is listening",
        ),
        openings=(
            "This is the third time I'm writing about order confirmation emails not being sent. Each time someone tells me it's fixed and it isn't. Customers think their orders didn't go through and order twice. The error in the log is \"{error}\".",
            "As I already explained twice, the booking calendar shows the wrong time zone for customers in Australia. They book 10am and arrive at 9am. I am tired of explaining it again to a new person each time.",
        ),
        follow_ups=(
            "Same thing today. Two more customers ordered twice.",
            "I've attached screenshots. Again.",
            "Fine. I'll wait for the engineer.",
            "It's been a week.",
            "Thanks, it finally looks right. I'll watch it for a few days.",
        ),
        replies=(
            "Hi {name},\n\nYou shouldn't have had to write three times, and I'm sorry you had to repeat yourself to new people. I've read the whole thread and I'm keeping this one myself from now on. I reproduced it: receipts from your store are rejected by Gmail because the sending domain lost its DKIM record. I've asked engineering to restore it today, and I'll write at 5pm either way.\n\n{sign_off}",
            "Hi {name},\n\nUpdate as promised: the fix is live and I sent three test orders from your store to Gmail, Outlook and Yahoo addresses. All three receipts arrived. Could you watch the next few real orders and tell me if anyone still misses theirs?\n\n{sign_off}",
            "Hi {name},\n\nI checked your calendar settings with a test booking from Sydney: the slot showed 10:00 for the customer and 09:00 for you, so I can see exactly what they see. The cause is daylight saving in your shop's time zone setting; I've filed it with engineering with your screenshots and I'll keep you posted.\n\n{sign_off}",
        ),
        closing=("Confirmed working. Thank you for finally owning it.",),
    ),
    Scenario(
        key="non_english",
        mailbox="support",
        weight=2,
        subjects=("Problema con el pago", "Frage zur Rechnung", "Problème de connexion"),
        openings=(
            "Hola, no puedo completar el pago en mi tienda, aparece un error. ¿Me pueden ayudar? Gracias.",
            "Hallo, ich habe zwei Rechnungen für denselben Monat bekommen. Können Sie das bitte prüfen?",
            "Bonjour, je n'arrive plus à me connecter depuis hier. Le mot de passe est refusé alors qu'il est correct.",
        ),
        follow_ups=("Gracias por la respuesta.",),
        replies=(
            "Hi {name},\n\nThank you for writing — I'm answering in English, I hope that's all right. Could you send me a screenshot of the error? Then I can look at exactly what you see.\n\n{sign_off}",
        ),
    ),
)

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

NOTES = (
    "Looped in engineering — issue ENG-{order}. Don't promise a date yet.",
    "Customer is on the Business plan, ~{amount}/month. Handle with care.",
    "Third time this customer has written about this. Let's keep one person on it: {agent} owns it.",
    "Refund approved by finance.",
    "Reproduced on staging with {browser}. Steps in the ticket.",
    "Could not reproduce with a fresh store — asked for the order number.",
    "She mentioned the student may drop the course; worth a follow-up next week.",
    "Possible duplicate of the checkout outage on Tuesday.",
)

SAVED_REPLIES = (
    (
        "Asking for steps to reproduce",
        "support",
        "Thanks for letting us know. So I can see exactly what you see, could you tell me:\n\n1. What you clicked, step by step\n2. What you expected to happen\n3. What happened instead (a screenshot helps)\n4. Your browser and device",
    ),
    (
        "Refund issued",
        "billing",
        "I've refunded the payment just now. Banks usually show it within 3–5 working days; if it hasn't appeared by then, reply here and I'll chase it.",
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

FIRST_NAMES = (
    "Adan",
    "Amara",
    "Ben",
    "Carla",
    "Chen",
    "Dario",
    "Elif",
    "Emma",
    "Farah",
    "Femi",
    "Grace",
    "Hana",
    "Ines",
    "Ivan",
    "Jamal",
    "Jia",
    "Kofi",
    "Lea",
    "Lucas",
    "Maya",
    "Mateo",
    "Nadia",
    "Noah",
    "Olga",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Sofia",
    "Tariq",
    "Uma",
    "Vera",
    "Wei",
    "Yara",
    "Zoe",
    "Aiko",
    "Bruno",
    "Chloe",
    "Diego",
    "Esra",
    "Felix",
    "Gita",
    "Hugo",
    "Isla",
    "Jonas",
    "Kira",
    "Leon",
)
LAST_NAMES = (
    "Abebe",
    "Almeida",
    "Brennan",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jansen",
    "Kowalski",
    "Lindqvist",
    "Mensah",
    "Novak",
    "Okafor",
    "Park",
    "Quist",
    "Rossi",
    "Silva",
    "Tanaka",
    "Usman",
    "Varga",
    "Walsh",
    "Xu",
    "Yilmaz",
    "Zhang",
    "Moreau",
    "Nakamura",
    "O'Brien",
)
COMPANY_WORDS = (
    "Bramble",
    "Copper",
    "Driftwood",
    "Ember",
    "Fable",
    "Golden",
    "Harbor",
    "Juniper",
    "Kestrel",
    "Linden",
    "Maple",
    "Nimbus",
    "Orchard",
    "Pebble",
    "Quarry",
    "Rowan",
    "Saffron",
    "Thistle",
    "Umber",
    "Willow",
)
COMPANY_KINDS = (
    "Bakery",
    "Studio",
    "Academy",
    "Goods",
    "Supply Co",
    "Ceramics",
    "Books",
    "Yoga",
    "Coffee",
    "Labs",
)
PLANS = (
    ("Starter", "19.00"),
    ("Growth", "49.00"),
    ("Business", "129.00"),
    ("Education", "89.00"),
    ("", None),
)
