"""The workstation's pages."""

from django.urls import path

from kefu.web import (
    assessment_views,
    board,
    crew,
    incident_views,
    intake_views,
    order_views,
    outage_views,
    queues,
    reference_views,
    views,
)

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout, name="logout"),
    path("profile/", views.profile, name="profile"),
    path("status/", views.status, name="status"),
    path("intake/", intake_views.intake, name="intake"),
    path("intake/customers/", intake_views.customer_results, name="intake-customers"),
    path(
        "intake/customer/<str:account_number>/", intake_views.customer_panel, name="intake-customer"
    ),
    path("intake/preview/", intake_views.preview, name="intake-preview"),
    path("board/", board.board, name="board"),
    path("board/counters/", board.counters, name="board-counters"),
    path("messages/", board.messages_page, name="messages"),
    path("nav/badges/", board.nav_badges, name="nav-badges"),
    path("messages/<int:message_id>/acknowledge/", board.acknowledge, name="message-acknowledge"),
    path("inbox/", queues.inbox, name="inbox"),
    path("crew/", crew.crew, name="crew"),
    path("crew/<str:number>/<str:step>/", crew.crew_step, name="crew-step"),
    path("review/", queues.review, name="review"),
    path("callbacks/", queues.callbacks, name="callbacks"),
    path("callbacks/<int:task_id>/", queues.callback_attempt, name="callback-attempt"),
    path("handover/", queues.handover, name="handover"),
    path("handover/<int:handover_id>/", queues.handover_detail, name="handover-detail"),
    path("orders/<str:number>/", order_views.order_page, name="order"),
    path("orders/<str:number>/<str:action>/", order_views.order_action, name="order-action"),
    path("customers/<str:account_number>/", reference_views.customer, name="customer"),
    path("departments/<str:code>/", reference_views.department, name="department"),
    path("outages/", outage_views.outages, name="outages"),
    path("outages/new/", outage_views.outage_new, name="outage-new"),
    path("outages/calls/", outage_views.calls_to_make, name="outage-calls"),
    path("outages/calls/<int:notification_id>/", outage_views.call_attempt, name="outage-call"),
    path("outages/import/", outage_views.notice_import, name="outage-import"),
    path("outages/<str:number>/", outage_views.outage, name="outage"),
    path("outages/<str:number>/<str:action>/", outage_views.outage_action, name="outage-action"),
    path("incidents/", incident_views.incident_list, name="incidents"),
    path("incidents/<str:number>/", incident_views.incident_page, name="incident"),
    path(
        "incidents/<str:number>/<str:action>/",
        incident_views.incident_action,
        name="incident-action",
    ),
    path("grid/import/", outage_views.grid_import, name="grid-import"),
    path("assessment/", assessment_views.assessments, name="assessments"),
    path("assessment/<str:number>/", assessment_views.assessment, name="assessment"),
    path(
        "assessment/<str:number>/sign/",
        assessment_views.assessment_sign,
        name="assessment-sign",
    ),
    path(
        "assessment/<str:number>/export.<str:kind>",
        assessment_views.assessment_export,
        name="assessment-export",
    ),
    path(
        "assessment/<str:number>/<str:code>/",
        assessment_views.assessment_unit,
        name="assessment-unit",
    ),
    path("grid/<str:code>/", outage_views.grid_element, name="grid-element"),
    path("policy/", reference_views.policy, name="policy"),
    path("calendar/", reference_views.calendar, name="calendar"),
    path("calendar/<int:year>/", reference_views.calendar, name="calendar-year"),
]
