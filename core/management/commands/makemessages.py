"""`makemessages` that also extracts `N_("...")`: the alias our checks use for `gettext_noop`.

Check results store the English message and its parameters and translate at display time
(`ApplicationCheck.detail_display`); the messages must be in the catalogue for that to work.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_"]
