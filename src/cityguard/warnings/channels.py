"""The public warnings page as a delivery channel, registered in `core.channels` like
e-mail and webhook: publishing a warning to the public page is a delivery record too.

The page shows what the database holds, so "sending" checks that the warning is in
force and therefore shown on the page to anyone without signing in; a draft, cancelled
or expired warning is refused with the reason.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cityguard.core import channels


class PublicPageChannel:
    name = "public_page"
    label = _("Public warnings page")

    def can_reach(self, recipient: channels.Recipient) -> bool:
        return bool(recipient.meta.get("public"))

    def send(self, recipient: channels.Recipient, message: channels.Message) -> None:
        from .choices import ACTIVE_STATES
        from .models import Warning

        warning_id = message.data.get("warning")
        warning = Warning.objects.filter(pk=int(warning_id or 0)).first()
        if warning is None:
            raise channels.DeliveryError(str(_("The warning no longer exists.")))
        if message.data.get("msgType") == "Cancel":
            # The page drops a cancelled warning: that is the cancel's publication.
            if warning.state in ACTIVE_STATES:
                raise channels.DeliveryError(str(_("The warning is still shown as active.")))
            return
        if warning.state not in ACTIVE_STATES:
            raise channels.DeliveryError(str(_("The warning is no longer in force.")))


channel = PublicPageChannel()
channels.register(channel)
