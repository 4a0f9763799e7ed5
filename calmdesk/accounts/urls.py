from django.contrib.auth import views as auth_views
from django.urls import path

from calmdesk.accounts.views import me, people

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("settings/", me.preferences, name="preferences"),
    path("notifications/", me.notifications, name="notifications"),
    path("notifications/read/", me.notifications_read, name="notifications_read"),
    path("notifications/<int:pk>/open/", me.notification_open, name="notification_open"),
    path("people/", people.people, name="people"),
    path("people/invite/", people.people_invite, name="people_invite"),
    path("people/<int:pk>/role/", people.people_role, name="people_role"),
    path("invite/<str:token>/", people.invite_accept, name="invite_accept"),
    path("password/forgot/", people.forgot_password, name="password_reset"),
    path("password/forgot/sent/", people.reset_done, name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", people.reset_confirm, name="password_reset_confirm"),
    path("password/reset/done/", people.reset_complete, name="password_reset_complete"),
]
