from django.urls import path

from .views import checkout, emails, manage, webhooks

app_name = "subscriptions"

urlpatterns = [
    path("support/thanks/", checkout.thanks, name="thanks"),
    # GET: the supporter's page in a manage session, else the form; POST: ask for a link.
    path("support/manage/", manage.manage_request, name="manage_request"),
    path("support/manage/sign-out/", manage.sign_out_everywhere, name="manage_sign_out"),
    path(
        "support/manage/gifts/<str:public_id>/change/",
        manage.contribution_change,
        name="contribution_change",
    ),
    path(
        "support/manage/gifts/<str:public_id>/cancel/",
        manage.contribution_cancel,
        name="contribution_cancel",
    ),
    path(
        "support/manage/gifts/<str:public_id>/resume/",
        manage.contribution_resume,
        name="contribution_resume",
    ),
    path(
        "support/manage/gifts/<str:public_id>/card/",
        manage.contribution_card,
        name="contribution_card",
    ),
    path("support/manage/statement/<int:year>/", manage.statement, name="statement"),
    path("support/manage/export/", manage.export, name="export"),
    # The link in an email: exchanged for a manage session, then a redirect without it.
    path("support/manage/<str:token>/", manage.manage_link_open, name="manage_link_open"),
    path("support/unsubscribe/<str:token>/", emails.unsubscribe, name="unsubscribe"),
    path("stripe/webhook/", webhooks.stripe_webhook, name="stripe_webhook"),
]
