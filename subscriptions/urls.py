from django.urls import path

from .views import checkout, emails, manage, webhooks

app_name = "subscriptions"

urlpatterns = [
    path("support/thanks/", checkout.thanks, name="thanks"),
    path("support/manage/", manage.manage_request, name="manage_request"),
    path("support/manage/<str:token>/", manage.manage, name="manage"),
    path(
        "support/manage/<str:token>/gifts/<str:public_id>/change/",
        manage.contribution_change,
        name="contribution_change",
    ),
    path(
        "support/manage/<str:token>/gifts/<str:public_id>/cancel/",
        manage.contribution_cancel,
        name="contribution_cancel",
    ),
    path(
        "support/manage/<str:token>/gifts/<str:public_id>/resume/",
        manage.contribution_resume,
        name="contribution_resume",
    ),
    path(
        "support/manage/<str:token>/gifts/<str:public_id>/card/",
        manage.contribution_card,
        name="contribution_card",
    ),
    path(
        "support/manage/<str:token>/statement/<int:year>/",
        manage.statement,
        name="statement",
    ),
    path("support/manage/<str:token>/export/", manage.export, name="export"),
    path("support/unsubscribe/<str:token>/", emails.unsubscribe, name="unsubscribe"),
    path("stripe/webhook/", webhooks.stripe_webhook, name="stripe_webhook"),
]
