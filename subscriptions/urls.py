from django.urls import path

from .views import checkout, emails, manage, webhooks

app_name = "subscriptions"

urlpatterns = [
    path("support/thanks/", checkout.thanks, name="thanks"),
    path("support/manage/", manage.manage_request, name="manage_request"),
    path("support/manage/<str:token>/", manage.manage, name="manage"),
    path(
        "support/manage/<str:token>/gifts/<str:public_id>/change/",
        manage.plan_change,
        name="plan_change",
    ),
    path(
        "support/manage/<str:token>/gifts/<str:public_id>/cancel/",
        manage.plan_cancel,
        name="plan_cancel",
    ),
    path(
        "support/manage/<str:token>/gifts/<str:public_id>/resume/",
        manage.plan_resume,
        name="plan_resume",
    ),
    path(
        "support/manage/<str:token>/gifts/<str:public_id>/card/",
        manage.plan_card,
        name="plan_card",
    ),
    path(
        "support/manage/<str:token>/statement/<int:year>/",
        manage.statement,
        name="statement",
    ),
    path("support/unsubscribe/<str:token>/", emails.unsubscribe, name="unsubscribe"),
    path("stripe/webhook/", webhooks.stripe_webhook, name="stripe_webhook"),
]
