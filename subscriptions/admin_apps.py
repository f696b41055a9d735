from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    """Django's admin, served by our site: a second factor for staff (admin_site.py)."""

    default_site = "subscriptions.admin_site.StaffAdminSite"
