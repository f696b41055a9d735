"""Setting up a staff member's second factor, before the admin lets them in."""

from base64 import b32encode

import django_otp
import segno
from django import forms
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django_otp import user_has_device

from ..services.staff import CodeRefused, staff_totp_device_start, staff_two_factor_confirm


class ConfirmDeviceForm(forms.Form):
    token = forms.CharField(
        label="Code from the app",
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


@never_cache
@staff_member_required
def two_factor_setup(request):
    """Show the secret (QR code and text); a correct code confirms it, once."""
    if user_has_device(request.user):
        return redirect("admin:index")
    device = staff_totp_device_start(user=request.user)
    form = ConfirmDeviceForm(request.POST or None)
    if form.is_valid():
        token = "".join(form.cleaned_data["token"].split())
        try:
            codes = staff_two_factor_confirm(
                user=request.user, device=device, token=token, request=request
            )
        except CodeRefused as refused:
            form.add_error("token", str(refused))
        else:
            django_otp.login(request, device)
            # Rendered, not redirected to: the codes are shown this once and never again.
            return render(request, "admin/two_factor_recovery_codes.html", {"codes": codes})
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "config_url": device.config_url,
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=5, border=2),
        "title": "Set up two-step sign-in",
    }
    return render(request, "admin/two_factor_setup.html", context)
