from django.urls import path

from lectio.workflow.views import discussion, requests, reserves, rules, tasks, work

app_name = "workflow"

urlpatterns = [
    path("library/", tasks.home, name="home"),
    path("library/tasks/", tasks.task_list, name="tasks"),
    path("library/tasks/assign/", tasks.bulk_assign, name="bulk_assign"),
    path("library/lists/<int:list_id>/", work.work, name="work"),
    path("library/lists/<int:list_id>/take/", work.take, name="take"),
    path("library/lists/<int:list_id>/assign/", work.assign, name="assign"),
    path("library/lists/<int:list_id>/start/", work.start, name="start"),
    path("library/lists/<int:list_id>/complete/", work.complete, name="complete"),
    path(
        "library/lists/<int:list_id>/status/",
        work.citations_status,
        name="citations_status",
    ),
    path(
        "library/citations/<int:citation_id>/",
        work.citation_library,
        name="citation_library",
    ),
    path("library/requests/<str:kind>/", requests.queue, name="queue"),
    path(
        "citations/<int:citation_id>/requests/new/",
        requests.request_new,
        name="request_new",
    ),
    path(
        "requests/<int:request_id>/state/", requests.request_state, name="request_state"
    ),
    path(
        "requests/<int:request_id>/reserve/",
        reserves.request_reserve,
        name="request_reserve",
    ),
    path("lists/<int:list_id>/discussion/", discussion.discussion, name="discussion"),
    path(
        "settings/notifications/",
        discussion.notification_settings,
        name="notifications",
    ),
    path("settings/rules/", rules.rules_page, name="rules"),
    path(
        "settings/rules/<str:kind>/<int:rule_id>/delete/",
        rules.rule_delete,
        name="rule_delete",
    ),
    path(
        "settings/rules/<str:kind>/<int:rule_id>/move/",
        rules.rule_move,
        name="rule_move",
    ),
]
