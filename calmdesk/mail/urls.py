from django.urls import path

from calmdesk.mail import views

urlpatterns = [
    path("mail/send-state/<int:message_pk>/", views.send_state, name="mail_send_state"),
    path("mail/retry/<int:message_pk>/", views.retry, name="mail_retry"),
    path("mail/caught/", views.caught_mail, name="mail_caught"),
    path("mail/inline/<str:key>/<str:digest>/", views.inline_image, name="mail_inline"),
]
