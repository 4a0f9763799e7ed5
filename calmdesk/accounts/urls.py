from django.contrib.auth import views as auth_views
from django.urls import path

from calmdesk.accounts.views import me, people, two_factor

urlpatterns = [
    path("login/", two_factor.SignInView.as_view(), name="login"),
    path("login/code/", two_factor.verify, name="two_factor_verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("settings/", me.preferences, name="preferences"),
    path("settings/two-factor/", two_factor.setup, name="two_factor_setup"),
    path("settings/two-factor/confirm/", two_factor.confirm, name="two_factor_confirm"),
    path("settings/two-factor/codes/", two_factor.new_codes, name="two_factor_codes"),
    path("settings/two-factor/off/", two_factor.turn_off, name="two_factor_off"),
    path("notifications/", me.notifications, name="notifications"),
    path("notifications/read/", me.notifications_read, name="notifications_read"),
    path("notifications/<int:pk>/open/", me.notification_open, name="notification_open"),
    path("people/", people.people, name="people"),
    path("people/invite/", people.people_invite, name="people_invite"),
    path("people/<int:pk>/role/", people.people_role, name="people_role"),
    path(
        "people/<int:pk>/two-factor/reset/", two_factor.people_reset, name="people_two_factor_reset"
    ),
    path("invite/<str:token>/", people.invite_accept, name="invite_accept"),
    path("password/forgot/", people.forgot_password, name="password_reset"),
    path("password/forgot/sent/", people.reset_done, name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", people.reset_confirm, name="password_reset_confirm"),
    path("password/reset/done/", people.reset_complete, name="password_reset_complete"),
]
