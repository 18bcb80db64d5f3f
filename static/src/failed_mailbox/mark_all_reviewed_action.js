import { registerThreadAction } from "@mail/core/common/thread_actions";

import { ConfirmationDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { _t } from "@web/core/l10n/translation";

registerThreadAction("mark-all-reviewed", {
    condition: ({ owner, thread }) =>
        thread?.model === "mail.box" && thread.id === "failed" && !owner.isDiscussSidebarChannelActions,
    disabledCondition: ({ thread }) => thread.isEmpty,
    open: ({ store }) =>
        store.env.services.dialog.add(ConfirmationDialog, {
            title: _t("Mark all as reviewed"),
            body: _t("All your failed messages will leave the Failed mailbox. Their emails will not be sent again."),
            confirmLabel: _t("Mark all as reviewed"),
            confirm: () => store.trackingSetAllReviewed(),
            cancel: () => {},
        }),
    sequence: 1,
    name: _t("Mark all as reviewed"),
});
