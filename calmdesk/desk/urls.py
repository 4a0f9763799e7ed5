from django.urls import path

from calmdesk.desk.views import changes, customers, pages, saved_replies, snooze

urlpatterns = [
    path("", pages.inbox, name="inbox"),
    path("search/", pages.search, name="search"),
    path("c/<int:pk>/", pages.conversation, name="conversation"),
    path("c/<int:pk>/reply/", changes.reply, name="conversation_reply"),
    path("c/<int:pk>/replies/<int:message_pk>/undo/", changes.undo_reply, name="conversation_undo"),
    path("c/<int:pk>/note/", changes.note, name="conversation_note"),
    path("c/<int:pk>/saved-reply/", saved_replies.preview, name="conversation_saved_reply"),
    path("c/<int:pk>/status/", changes.change_status, name="conversation_status"),
    path("c/<int:pk>/assign/", changes.assign, name="conversation_assign"),
    path("c/<int:pk>/snooze/", snooze.snooze, name="conversation_snooze"),
    path("c/<int:pk>/unsnooze/", snooze.unsnooze, name="conversation_unsnooze"),
    path("c/<int:pk>/tags/", changes.add_tag, name="conversation_tag_add"),
    path(
        "c/<int:pk>/tags/<int:tag_pk>/remove/",
        changes.remove_tag,
        name="conversation_tag_remove",
    ),
    path("customers/<int:pk>/", customers.customer, name="customer"),
    path("customers/<int:pk>/notes/", customers.customer_notes, name="customer_notes"),
    path("customers/<int:pk>/merge/", customers.customer_merge, name="customer_merge"),
    path("customers/<int:pk>/erase/", customers.customer_erase, name="customer_erase"),
    path("attachments/<int:pk>/", pages.attachment, name="attachment"),
    path("messages/<int:pk>/text/", pages.message_text, name="message_text"),
]
