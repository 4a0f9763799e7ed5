# ruff: noqa: E501  (prose reads better unwrapped; these are sentences, not code)
"""The Support mailbox's stories: outages, lost data, deadlines, bugs, first steps, thanks,
feature requests, and customers who write in another language."""

from __future__ import annotations

from calmdesk.desk.demo.story import Scenario, Story

CHECKOUT_DOWN = Scenario(
    key="checkout_down",
    mailbox="support",
    weight=9,
    tags=("outage", "urgent"),
    notes=(
        "Part of this morning's checkout incident, INC-{order}. Engineering is rolling back.",
        "Lost a day of sales to us. Asked billing about a credit.",
    ),
    stories=(
        Story(
            subject="CHECKOUT IS DOWN",
            turns=(
                "My checkout has been broken for three hours. Customers add things to the cart and then get a blank page. This is Black Friday weekend and I am losing hundreds of dollars every hour. I need someone on this NOW.",
                "I'm sorry — a dead checkout on your busiest weekend is the worst timing, and I know every hour costs you real orders. I can see it on your store too: the payment step loads a blank page on {browser}. Our engineers are on it now, and I'll write again within the hour whether or not it's fixed.",
                "It's been an hour. Still a blank page. Still losing money.",
                "Here's where we are: a change we shipped this morning broke the payment step for stores that sell in more than one currency, yours included. The team is rolling it back now, which takes about 30 minutes. I'll tell you the moment it's done.",
                "It works on Chrome now but still not on Safari. Customers on iPhones still get the blank page.",
                "Thank you for checking on Safari — that's the piece we hadn't caught. Safari was holding on to the broken script; we've cleared it from our side, and a minute ago I placed a test order from an iPhone on your store that went through. Could you try once more?",
                "Safari works too now. Orders are coming in.",
                "That's good to hear. I'm sorry for the lost sales today; that's on us. I've added a note to your account so the billing team can look at a credit for this weekend, and you'll hear from them by Tuesday.",
            ),
            closing=(
                "Thank you for staying on it with me today.",
                "Billing sent the credit. Thanks, and please make sure this doesn't happen again on a weekend.",
            ),
        ),
        Story(
            subject="Is Fernhill down?? My store can't take payments",
            turns=(
                'Nobody can pay on my store. The payment step spins and then shows "PaymentIntent failed: processing_error". I haven\'t changed anything. We do most of our sales on weekends and this is a disaster for a business our size.',
                "Thank you for the exact error, it made this quick to find. Our payment provider had an outage that started at 10:20 UTC; it has been fixed since 11:05, and I placed a test order on your store that went through. Could you check that new orders arrive on your side too?",
                "Yes, two orders just came in. What about the customers who gave up in the last hour?",
                "Their carts are saved. Under Orders → Abandoned carts you'll find everyone who reached the payment step today, with a button that emails them a reminder with their cart. Most people come back when they get one.",
            ),
            closing=("Sent the reminders, and three of them already ordered. Thanks.",),
        ),
        Story(
            subject="Checkout down again. Great.",
            turns=(
                "Oh great, checkout is down again. Second time this month. Love that for me. Really fantastic way to start the holiday sale, thanks so much Fernhill.",
                "I'm sorry — twice in a month is not OK, and during your sale it's the worst possible time. Checkout failed for about 40 minutes this morning because a certificate on one of our payment servers expired; it has been working again since 9:55, and I placed a test order on your store to be sure.",
                "Right. And what stops it from happening a third time?",
                "Fair question. The certificate expired because renewing it was a manual step; as of today it renews on its own, and we now place a test order on live stores every five minutes, so the team hears about a failure before you do. I've also asked billing to credit this month's fee.",
            ),
            closing=("OK. Appreciate the straight answer.",),
        ),
        Story(
            subject="Checkout button does nothing on phones",
            turns=(
                "I run a small bakery shop on Fernhill and the checkout button does nothing on phones. Desktop works. Most of my customers order from their phones. We have 40 cake orders due for the weekend and people are calling me instead.",
                "I tried your shop on a phone and I can see the button doing nothing, so you're not imagining it. While we fix it, you can switch on the simple checkout under Settings → Payments, which isn't affected: phone orders will work again straight away. I'll write by 3pm with news on the proper fix.",
                "I switched on the simple checkout and the first phone order just came in. Do I need to switch it back later?",
                "The fix for the normal checkout is live now. You can keep the simple one as long as you like, or switch back under Settings → Payments whenever it suits you; both work on phones.",
            ),
            closing=("Switched back, all good. Thank you!",),
        ),
        Story(
            subject="My shop says the connection is not private",
            turns=(
                "My whole shop is down. Visitors get \"Your connection is not private\" and Chrome says the certificate for shop.{domain} expired. I didn't touch anything. Every minute it's down I'm losing customers who think we got hacked.",
                "I'm sorry, that warning scares customers away, and it isn't anything you did. The certificate for shop.{domain} should have renewed on its own last week, but the renewal failed after the domain's records changed in September. I've issued a new certificate by hand just now; browsers may need a few minutes to pick it up.",
                "It works in Chrome now. Will this happen again in three months?",
                "No: I've fixed the renewal itself, so it runs on its own again, and I've set an alert on our side that fires two weeks before any of your certificates expires, so we'd know long before you would.",
            ),
            closing=("Good. Thanks for the fast fix.",),
        ),
    ),
)

DATA_LOST = Scenario(
    key="data_lost",
    mailbox="support",
    weight=6,
    tags=("bug", "urgent"),
    notes=(
        "Restore from the nightly snapshot done; double-checked the counts.",
        "Very worried customer. Keep updates short and frequent.",
    ),
    stories=(
        Story(
            subject="All my products disappeared after the update",
            turns=(
                "I'm really scared right now. After updating to {version} last night, all 340 of my products show as empty. The titles are there but no prices, no photos. I have backups of nothing. Please tell me this can be recovered.",
                "First, the good news: nothing is deleted. We keep every change for 30 days, and I can see all 340 products with their prices and photos in your store's history. I'm restoring them now; it takes about 20 minutes. I'll confirm here when it's done.",
                "Some products came back but without their sizes. Is that expected?",
                "Not expected, and thank you for spotting it. The sizes are restored in a second step, which had stopped halfway; I restarted it and watched it finish. All 340 products have their sizes again — could you check a few you know well?",
            ),
            closing=("Everything is back. I could cry. Thank you so much.",),
        ),
        Story(
            subject="Did I just delete my customer list??",
            turns=(
                'I think I did something terrible. I clicked "Merge duplicates" on my customer list and now I only see 12 customers instead of about 2,000. I can\'t sleep. Is there any way to undo this?',
                'That sounds frightening, but your customers are all still there. "Merge duplicates" merged 12 groups, and the list only shows those because the "Recently merged" filter stayed on. Click Filters above the list and choose "All customers": you should see about 2,000 again.',
                "I see them! But is the merge itself right? Two different people named Anna Kim are now one customer.",
                "Good catch. I've split them again: both Anna Kims are separate customers with their own orders. I also checked the other 11 merges by hand; they were true duplicates with the same email address, so those are right.",
            ),
            closing=("Thank you for being so kind about it.",),
        ),
        Story(
            subject="My course content is gone",
            turns=(
                "My whole course ({course}, 14 lessons, 3 months of work) shows \"No content yet\" since this morning. Students are messaging me that they can't open anything. I'm shaking, this course is my income.",
                "I'm sorry you had such a morning. Your 14 lessons are safe; I can see every one of them. The {version} update broke the link between the course and its lessons, and engineering is fixing it now. In the meantime I've restored your course from last night's snapshot, so students can open it again.",
                "Students can see the lessons again. Did anything from today get lost? I edited lesson 9 at 8am.",
                "Your 8am edit to lesson 9 came after the snapshot, so I copied it over by hand from the history: the lesson has today's version. Nothing else was changed today.",
            ),
            closing=("All there. Thank you.",),
        ),
        Story(
            subject="Orders from last week missing",
            turns=(
                "Sorry if this is a stupid question, but my orders from last week are gone from the dashboard. Did they get deleted? I need them for my taxes by Friday.",
                'Not a stupid question at all, and your orders are safe: a date filter that the update switched on hides them. Go to Orders, click "Filters" and choose "All time"; they should all be back. If they\'re not, tell me and I\'ll look myself.',
            ),
            closing=("Found them, thank you!",),
        ),
    ),
)

STUDENT_DEADLINE = Scenario(
    key="student_deadline",
    mailbox="support",
    weight=5,
    tags=("urgent", "courses"),
    notes=("Told the instructor about the upload trouble so the time is on record.",),
    stories=(
        Story(
            subject="Can't submit my assignment — deadline tonight",
            turns=(
                "I'm a student in {course} and the upload for my final assignment keeps failing with \"Upload failed: 413 Request Entity Too Large\". It's due at midnight. If it's late I lose 30% and I'll have to drop the class, which means losing my scholarship. Please help.",
                "I know how much rides on this. Your file is 212 MB and the limit is 200 MB, which is why it fails. Two ways forward: export the PDF with \"reduce file size\", or send it to me here and I'll attach it to your submission with tonight's timestamp. I've also told your instructor what happened so the time is on record.",
                "I tried the smaller file like you said and the upload finished! Does the professor see it with the right time?",
                "Yes: it shows as submitted at 11:48pm, before the deadline, and your instructor has my note about the upload trouble too. Good luck with the results!",
            ),
            closing=("Thank you, I was really going to drop this class. You saved my semester.",),
        ),
        Story(
            subject="Locked out of my course the day before the exam",
            turns=(
                "I paid for {course} and now it says my access expired?? The exam is tomorrow morning. I really can't afford to buy it again and I can't fail this, I'm already on academic probation.",
                "Your access was ended by mistake when your school renewed its licence — not by anything you did, and you won't pay again. I've restored it until the end of the term, so you should be able to open the course now.",
                "The course opens but the practice exam still says expired.",
                "Thank you for checking. The practice exam kept its own copy of the old end date; I've fixed that one too and opened it from my side as a student to be sure it loads. You're all set for tomorrow.",
            ),
            closing=("It works. Thank you thank you thank you.",),
        ),
        Story(
            subject="lesson 7 video not open",
            turns=(
                "hi sorry my english is not so good. I cannot open the lesson 7 video, it say error. exam is friday. what i do?",
                "No problem at all, your message is clear. The video for lesson 7 had a broken link. It's fixed now, so please reload the page. Good luck on Friday!",
            ),
            closing=("it work now. thank you very much!",),
        ),
        Story(
            subject="Quiz won't load and it closes in 2 hours",
            turns=(
                "The quiz for {course} won't load, it just spins. I've tried three browsers. My professor says it's a platform problem and to contact you. The quiz closes in 2 hours. I'm panicking.",
                "I can see it spinning too, so it isn't your browsers. The quiz has an image that fails to load, and the page waits for it. I've removed the image from your copy of the quiz: please reload, and it should open now. I've also told your professor, so the time you lost is on record.",
            ),
            closing=("It loaded and I submitted it. Thank you so much.",),
        ),
    ),
)

BUG_REPORT = Scenario(
    key="bug_report",
    mailbox="support",
    weight=10,
    tags=("bug",),
    notes=(
        "Reproduced on staging with {browser}. Steps in ENG-{order}.",
        "Filed as ENG-{order}. Don't promise a date until engineering gives one.",
    ),
    stories=(
        Story(
            subject="Inventory sync fails every night since {version}",
            turns=(
                'Since upgrading to {version}, the inventory sync fails every night.\n\nError: ERR_SYNC_TIMEOUT (code 504)\nEnvironment: Fernhill {version}, Shopify connector 2.3.0, {browser}\n\nSteps to reproduce:\n1. Go to Settings → Integrations → Inventory\n2. Click "Sync now"\n3. Wait about 90 seconds\n\nExpected: stock levels update.\nActual: the job stops and the log shows the error above.\n\nIt worked on 4.1.7. Let me know if you need logs.',
                "Thank you, the steps and versions made this quick to look at. I ran the same sync on a test store on {version} and it finished, so something about your catalogue must differ. How many variants does your largest product have?",
                "Good question: our biggest product has 140 variants. The others have under 20.",
                "That's it: I can reproduce the timeout on {version} with any product over 100 variants, because the sync reads them in one page instead of several. I've filed it with engineering with your example attached. Until the fix ships, syncing in smaller batches under Settings → Inventory → Advanced avoids it.",
                "Batches work, thanks. Do you know when the real fix ships?",
                "It's in the release planned for Tuesday. I'll write here once it's out, so you can switch the batches off.",
            ),
            closing=(
                "Updated to the new release, the full sync works again. Thanks for the quick fix.",
            ),
        ),
        Story(
            subject="Bug: discount code applied twice",
            turns=(
                'Found a reproducible bug: a discount code with "applies once per order" is applied twice if the cart has two variants of the same product. Example: order #{order}, code SPRING20, discount applied 2×20%. Using {browser}.',
                "Thanks for the clear example. I tried it on a test store with {browser}, and with a card payment it only applied once. Which payment method did the customer use on order #{order}? That will help me reproduce it exactly.",
                "They paid with PayPal Express, straight from the cart page.",
                "That was the missing piece: PayPal Express from the cart page works out the discount a second time. I can reproduce it now, it's filed as a bug, and the fix is planned for this week. If you like, I can refund the extra 20% on order #{order} to your customer from our side in the meantime.",
            ),
            closing=("Yes please, and thanks for tracking it down.",),
        ),
        Story(
            subject="Webhooks stopped arriving after {version}",
            turns=(
                'Our webhook endpoint stopped receiving order.created events after {version}. Your dashboard shows "Webhook delivery failed after 5 attempts: connection reset by peer". Our server logs show no incoming requests at all from your IP range. Nothing changed on our side; curl from outside works fine.',
                "You were right: our outbound IP range changed in {version}, and your firewall allow-list still has the old one. That's our fault for not announcing it. The new range is in the docs under Webhooks → IP addresses; once it's added, the failed deliveries can be replayed from the dashboard.",
                "Added the new range and replayed the failed deliveries, all 212 arrived. Will you announce IP changes in future?",
                "Yes: from now on IP changes go out by email, two weeks ahead, to every account with webhooks. I've added your technical contact to that list.",
            ),
            closing=("Confirmed, all good on our side.",),
        ),
        Story(
            subject="API returns 500 on /v2/orders with updated_since",
            turns=(
                'GET /v2/orders?updated_since=2026-11-01T00:00:00Z returns HTTP 500 with body {{"error": "internal"}}. Without the parameter it works. Request id: req_8f3a91c2. We call it every 5 minutes, so our warehouse is now out of date.',
                "Thanks for the request id, that found it in one search. The updated_since filter breaks on timestamps with a Z suffix; a fix is deployed now, and your request returns 200 on my side. Sorry for the warehouse trouble this caused.",
            ),
            closing=("Confirmed fixed on our side, the 500s stopped at 10:12 UTC.",),
        ),
        Story(
            subject="CSV import stops at row 1,204",
            turns=(
                "Importing products from CSV stops with \"Import stopped at row 1,204: invalid date '31/02/2024'\". The file is UTF-8, 3,400 rows, exported from WooCommerce. Row 1,204 looks normal to me. Attaching the file.",
                "Thank you for attaching the file. Row 1,204 has a sale end date of 31 February, which doesn't exist: WooCommerce lets it through, our import doesn't. If you change it to 28/02/2024 or clear it, the import will run to the end.",
                "Fixed the date and it ran through. But shouldn't the import skip a bad row instead of stopping?",
                "I agree, it should: stopping at row 1,204 helps nobody. I've passed it on to the product team as a request to skip bad rows and list them at the end, and I'll let you know if it gets scheduled.",
            ),
            closing=("Thanks, appreciated.",),
        ),
        Story(
            subject="iOS app crashes when I open Orders",
            turns=(
                "The iOS app (2.8.3) crashes every time I open the Orders tab. iPhone 13, iOS 18.1. It started this morning; the web dashboard works fine. I've reinstalled the app already.",
                "Thank you for trying the reinstall first, and for the versions. The app crashes for accounts with an order whose delivery note has an emoji in it; 2.8.4 fixes it and is waiting for Apple's review. Until then, the Orders page works in your phone's browser.",
                "Makes sense, one of my customers loves emojis. Any idea when 2.8.4 is out?",
                "Apple approved it an hour ago, so it's in the App Store now. Once you update, the Orders tab opens again.",
            ),
            closing=("Updated, and Orders opens fine. Thanks!",),
        ),
        Story(
            subject="Your update broke my product pages AGAIN",
            turns=(
                "Your update last night broke my product pages. AGAIN. The Add to cart button is gone on every product with more than one colour. I test everything before I change anything on my shop, why don't you?",
                "You're right to be angry: last night we shipped a change to the product page that hides the button when a product has colour swatches, and our tests missed it. It's fixed as of 8:10 this morning; I checked five of your products with several colours, and the button is back on all of them.",
                "And the sales I lost overnight?",
                "Fair question. Between 11pm and 8am, 31 visitors reached one of those product pages and left. I've credited a month of your plan, {amount}, to your account for it; it isn't the same as the sales, but it's ours to make right.",
            ),
            closing=("OK. Thank you for being straight about it.",),
        ),
    ),
)

REPEAT_FRUSTRATED = Scenario(
    key="repeat_frustrated",
    mailbox="support",
    weight=5,
    tags=("bug", "escalated"),
    notes=(
        "Third time this customer has written about this. One person keeps it from now on: {agent}.",
    ),
    stories=(
        Story(
            subject="Third time asking: order emails not sending",
            turns=(
                "This is the third time I'm writing about order confirmation emails not being sent. Each time someone tells me it's fixed and it isn't. Customers think their orders didn't go through and order twice. The error in the log is \"SMTP 550 5.7.1 Message rejected as spam\".",
                "You shouldn't have had to write three times, and I'm sorry you had to explain it again to someone new each time. I've read the whole history and I'm keeping this one myself from now on. The error says Gmail rejects the receipts from your store because its sending domain lost a DKIM record. I've asked engineering to restore it today, and I'll write at 5pm either way.",
                "Same thing today. Two more customers ordered twice. I'm refunding duplicates by hand.",
                "I'm sorry, that's extra work on top of the frustration. The DKIM record is restored as of 4:40pm; Gmail can take a few hours to trust it again. For the duplicate orders, send me the order numbers and I'll refund them from our side so you don't have to.",
                "Orders #{order} and #{order2}. And I'll believe it's fixed when I see it.",
                "Both refunded just now. And as promised, I sent three test orders from your store to Gmail, Outlook and Yahoo addresses: all three receipts arrived. Could you watch the next few real orders and tell me if anyone still misses theirs?",
                "Two days now. No complaints so far.",
                "Good. I'll read your store's mail log once more on Friday, and if anything was rejected since, I'll write to you before you hear it from a customer.",
            ),
            closing=("Confirmed working. Thank you for finally owning it.",),
        ),
        Story(
            subject="Booking calendar time zone, AGAIN",
            turns=(
                "As I already explained twice, the booking calendar shows the wrong time zone for customers in Australia. They book 10am and arrive at 9am. I am tired of explaining it again to a new person each time.",
                "I've read both earlier conversations, so you don't need to explain again. I made a test booking from Sydney: the slot showed 10:00 for the customer and 09:00 for you, so I see exactly what they see. It's a daylight-saving bug in how we convert your shop's time zone; I've filed it with engineering with your screenshots, and I'm keeping this one myself.",
                "It's been a week. Two more customers arrived an hour early.",
                "I'm sorry, a week is too long when it's costing you appointments. The fix went live this morning: I repeated my Sydney test booking and both sides now show 10:00. I've also emailed the two customers booked for next week with the right time.",
            ),
            closing=("Thanks, it finally looks right. I'll watch it for a few days.",),
        ),
    ),
)

CONFUSED_FIRST_TIMER = Scenario(
    key="confused_first_timer",
    mailbox="support",
    weight=8,
    tags=("onboarding",),
    notes=("New seller, first shop. Offered a screen share if written steps don't land.",),
    stories=(
        Story(
            subject="How do I add pictures of my hats?",
            turns=(
                "I just signed up and I don't understand what to do next. There are so many menus. I just want to sell my knitted hats. Where do I put the pictures?",
                'Welcome to Fernhill! To add your hats: click Products on the left, then "Add product". Drag your photos into the big box at the top, give the hat a name and a price, and press Save. It appears in your shop straight away.',
                'Thank you! But where is the "Products" menu? I only see Home and Settings.',
                "That's because the menu folds away on smaller screens: click the three lines at the top left, and Products is the second item. Here's a one-minute video of exactly where to click: https://help.fernhill.example/v/first-product",
                "Found it, the first hat is online! One more question: can I sell to people in Spain too?",
                "Yes: under Settings → Shipping, add Spain (or the whole EU) as a shipping zone with a price, and your shop will take orders from there.",
            ),
            closing=("That's so helpful, thank you for being patient with me!",),
        ),
        Story(
            subject="What is a CNAME?",
            turns=(
                "I bought a domain from you but my shop still shows the old address. What is a CNAME? I'm not a technical person, sorry.",
                'A CNAME is just a signpost that tells the internet "this address lives at Fernhill". You don\'t need to understand it to set it up: in your domain settings, add one record with name "shop" and value "stores.fernhill.example". Here\'s a two-minute video showing where to click: https://help.fernhill.example/v/cname',
                'I did the steps but it still says "pending verification". How long does it take?',
                "Usually up to an hour, sometimes a day. I checked just now and your record is correct, so there's nothing more to do: the shop will move to shop.{domain} on its own, and you'll get an email when it does.",
                "Sorry, I'm lost again. What is DNS?",
                "DNS is the internet's address book: it turns a name like shop.{domain} into the place where the shop lives. The CNAME you added is your entry in that book. It's done, so you can forget about it now!",
            ),
            closing=("Got it working. Thanks!",),
        ),
        Story(
            subject="Where is my shop??",
            turns=(
                "I think I made the shop but I can't find it? When I type the name in Google nothing comes up. Did I do something wrong?",
                "You did everything right, and your shop looks lovely! Google takes a few days to a few weeks to list a new site, so searching won't find it yet. Your address is https://{shop}.fernhill.example, and you can share that link today.",
            ),
            closing=("Oh good! Shared it with my friends already. Thanks!",),
        ),
        Story(
            subject="How do I get paid?",
            turns=(
                "This is my first time selling online. How do I get paid? Do I need a bank account in the US? I live in Portugal.",
                "No US account needed. Under Settings → Payouts, add your Portuguese bank account (your IBAN), and payments from customers arrive there every week, in euros.",
                "Every week on which day? And do you take a fee?",
                "Payouts leave on Mondays and usually arrive by Wednesday. The fee is 2.9% + €0.30 per order, taken before the payout; you'll see each one under Settings → Payouts → History.",
            ),
            closing=("Clear, thank you!",),
        ),
        Story(
            subject="Order says Unfulfilled, what do I do?",
            turns=(
                "Sorry, another beginner question. I have a new order and it says Unfulfilled. What am I supposed to do? Did the customer pay?",
                "Congratulations on the order! Yes, the customer has paid: Unfulfilled only means it hasn't been sent yet. Once you've posted the parcel, open the order and click \"Mark as fulfilled\", and the customer gets an email saying it's on its way.",
                "Done! Can I add the tracking number somewhere?",
                'Yes: when you click "Mark as fulfilled" there\'s a box for the tracking number, and the email to the customer includes a link to follow the parcel.',
            ),
            closing=("Perfect, my first parcel is on its way!",),
        ),
    ),
)

GRATEFUL = Scenario(
    key="grateful",
    mailbox="support",
    weight=4,
    tags=("thank-you",),
    chase=False,
    stories=(
        Story(
            subject="Thank you, {colleague}!",
            turns=(
                "I just wanted to say thank you to {colleague} who helped me last week with the product import. I was ready to give up on the whole shop, and now we've had our best month ever.",
                "This made my day, thank you for taking the time to write. I've passed it on to {colleague} and the whole team. Best month ever is wonderful news; here's to many more.",
            ),
        ),
        Story(
            subject="Just wanted to say thanks",
            turns=(
                "No question, just a thank you. Your team fixed my checkout on a Sunday night and I know that's not fun. It meant a lot to a tiny business like ours.",
                "Thank you so much for writing. Sunday nights are exactly when a small shop needs us most, and I'll make sure the engineers on call that night see your message.",
            ),
        ),
        Story(
            subject="45 students finished the course!",
            turns=(
                "Thanks to your help with the course setup, 45 students finished the program this term. One of them told me she was going to drop out before the new lessons. So thank you, really.",
                "Thank you for telling us. It's really good to hear the students made it, and that one in particular. I've shared your message with the team.",
                "And one small thing while I'm here: is there a way to export the reviews students left?",
                "There is: Courses → Reviews → Export gives you a spreadsheet of every review with its date and rating.",
            ),
            closing=("Perfect, thanks again!",),
        ),
        Story(
            subject="Your support team is great",
            turns=(
                "Just a note to say your support has been the best part of moving to Fernhill. Quick, kind, and you actually read what I write.",
                "Thank you, that means a lot to the whole team, and I'll pass it on. If anything ever gets in your way, you know where we are.",
            ),
        ),
    ),
)

FEATURE_REQUEST = Scenario(
    key="feature_request",
    mailbox="support",
    weight=4,
    tags=("feature-request",),
    stories=(
        Story(
            subject="Feature request: gift cards",
            turns=(
                "Love the platform. One thing we really miss is gift cards: customers ask for them every December. Any plans?",
                "Thank you! Gift cards are on the product team's plan for the first quarter, and I've added your shop to the request so they see how many people need it. For this December, a fixed-amount discount code sold as a product works as a stand-in.",
            ),
            closing=("Good to know, thanks.",),
        ),
        Story(
            subject="Bulk edit prices?",
            turns=(
                "Would it be possible to edit prices in bulk? Changing 200 products one by one for a sale took me a whole evening.",
                'It is already, though it\'s well hidden: tick the checkbox at the top of the product list to select them all, then "Edit selected" changes their prices together. For a percentage sale, a discount code for the whole shop is quicker still.',
                "Oh wow, I never saw that checkbox. That would have saved my evening.",
                "It's far too easy to miss, you're right, and I've told the design team so.",
            ),
            closing=("Thanks, that checkbox is a lifesaver!",),
        ),
        Story(
            subject="Suggestion for the course player",
            turns=(
                "Suggestion: let students speed up videos to 1.75×. Many of mine ask for it.",
                "Thank you for the suggestion, you're not the first to ask. The player goes up to 1.5× today; I've added your course to the request for finer steps, so the product team sees how many teachers want it.",
            ),
            closing=("Thanks, I'll keep an eye on the changelog.",),
        ),
        Story(
            subject="Could you add dark mode?",
            turns=(
                "Could you add a dark mode to the dashboard? I do my orders late at night after my day job and the white screen is blinding.",
                "You're not the only night owl asking! Since last month the dashboard follows your computer's setting: if your system is in dark mode, the dashboard turns dark too. Under Settings → Appearance you can also switch it on for the dashboard alone.",
            ),
            closing=("Found it. My eyes thank you.",),
        ),
    ),
)

NON_ENGLISH = Scenario(
    key="non_english",
    mailbox="support",
    weight=2,
    stories=(
        Story(
            subject="Problema con el pago",
            language="es",
            turns=(
                "No puedo completar el pago en mi tienda, aparece un error al pagar con tarjeta. ¿Me pueden ayudar?",
                "Gracias por escribirnos. ¿Podría enviarme una captura de pantalla del error? Así puedo ver exactamente lo que aparece.",
                "Aquí está la captura. El error dice que la tarjeta fue rechazada, pero la misma tarjeta funciona en otras tiendas.",
                "Gracias por la captura. El problema estaba en nuestra configuración de pagos para España; ya está corregido, y he hecho un pedido de prueba en su tienda que ha funcionado.",
            ),
            closing=("Ahora funciona. ¡Muchas gracias!",),
        ),
        Story(
            subject="Frage zur Rechnung",
            language="de",
            turns=(
                "Ich habe zwei Rechnungen für denselben Monat bekommen. Können Sie das bitte prüfen?",
                "Danke für Ihre Nachricht. Die zweite Rechnung war ein Fehler unseres Systems: Ich habe sie storniert, und der Betrag wird Ihnen in drei bis fünf Werktagen erstattet.",
            ),
            closing=("Vielen Dank für die schnelle Hilfe.",),
        ),
        Story(
            subject="Problème de connexion",
            language="fr",
            turns=(
                "Je n'arrive plus à me connecter depuis hier. Le mot de passe est refusé alors qu'il est correct.",
                "Merci pour votre message. Votre compte a été bloqué après plusieurs tentatives de connexion depuis une autre adresse ; je l'ai débloqué, et vous pouvez vous reconnecter dès maintenant avec votre mot de passe habituel.",
                "Merci, ça marche. Mais qui a essayé de se connecter à mon compte ?",
                "Les tentatives venaient d'une adresse en Roumanie. Par précaution, je vous conseille de changer votre mot de passe et d'activer la double authentification dans Paramètres → Sécurité.",
            ),
            closing=("C'est fait, merci beaucoup.",),
        ),
        Story(
            subject="Domanda sulla spedizione in Svizzera",
            language="it",
            turns=(
                "Vorrei sapere se posso spedire i miei prodotti anche in Svizzera. Non trovo l'opzione nelle impostazioni.",
                "Grazie per il messaggio. Sì, può spedire in Svizzera: vada in Impostazioni → Spedizioni, aggiunga una nuova zona e scelga la Svizzera dall'elenco dei paesi.",
                "Fatto, grazie. Devo aggiungere anche le tasse doganali?",
                "Non è necessario: i clienti svizzeri pagano le tasse doganali alla consegna. Se preferisce includerle nel prezzo, può attivare l'opzione in Impostazioni → Tasse.",
            ),
            closing=("Perfetto, grazie mille!",),
        ),
    ),
)

SUPPORT: tuple[Scenario, ...] = (
    CHECKOUT_DOWN,
    DATA_LOST,
    STUDENT_DEADLINE,
    BUG_REPORT,
    REPEAT_FRUSTRATED,
    CONFUSED_FIRST_TIMER,
    GRATEFUL,
    FEATURE_REQUEST,
    NON_ENGLISH,
)
