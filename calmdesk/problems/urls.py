from django.urls import path

from calmdesk.problems.views import answer as views_answer
from calmdesk.problems.views import problems as views
from calmdesk.problems.views import report as views_report
from calmdesk.problems.views import trackers as views_trackers

urlpatterns: list = [
    path("problems/", views.problems, name="problems"),
    path("problems/new/", views.problem_create, name="problem_create"),
    path("problems/report/", views_report.report, name="problem_report"),
    path("problems/<int:pk>/", views.problem, name="problem"),
    path("problems/<int:pk>/status/", views.problem_status, name="problem_status"),
    path("problems/<int:pk>/edit/", views.problem_edit, name="problem_edit"),
    path("problems/<int:pk>/own-words/", views.problem_own_words, name="problem_own_words"),
    path("problems/<int:pk>/answer/", views_answer.problem_answer, name="problem_answer"),
    path(
        "problems/<int:pk>/answer/<int:batch_pk>/",
        views_answer.problem_answer_batch,
        name="problem_answer_batch",
    ),
    path(
        "problems/<int:pk>/answer/<int:batch_pk>/send/",
        views_answer.problem_answer_send,
        name="problem_answer_send",
    ),
    path(
        "problems/<int:pk>/answer/<int:batch_pk>/undo/",
        views_answer.problem_answer_undo,
        name="problem_answer_undo",
    ),
    path(
        "problems/<int:pk>/answer/<int:batch_pk>/undo/<int:item_pk>/",
        views_answer.problem_answer_undo_one,
        name="problem_answer_undo_one",
    ),
    path("c/<int:pk>/problems/", views.conversation_problems, name="conversation_problems"),
    path(
        "c/<int:pk>/problems/link/",
        views.conversation_problem_link,
        name="conversation_problem_link",
    ),
    path(
        "c/<int:pk>/problems/new/",
        views.conversation_problem_create,
        name="conversation_problem_create",
    ),
    path(
        "c/<int:pk>/problems/<int:problem_pk>/unlink/",
        views.conversation_problem_unlink,
        name="conversation_problem_unlink",
    ),
]

# Issue trackers: the admins' destinations, and pushing a problem.
urlpatterns += [
    path("trackers/", views_trackers.trackers, name="trackers"),
    path("trackers/add/", views_trackers.tracker_add, name="tracker_add"),
    path("trackers/<int:pk>/", views_trackers.tracker_edit, name="tracker_edit"),
    path("trackers/<int:pk>/delete/", views_trackers.tracker_delete, name="tracker_delete"),
    path("problems/<int:pk>/trackers/", views_trackers.problem_trackers, name="problem_trackers"),
    path("problems/<int:pk>/push/", views_trackers.problem_push, name="problem_push"),
    path(
        "trackers/<int:pk>/github-webhook/",
        views_trackers.tracker_github_webhook,
        name="tracker_github_webhook",
    ),
]
