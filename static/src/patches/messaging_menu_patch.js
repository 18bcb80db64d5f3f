import { MessagingMenu } from "@mail/core/public_web/messaging_menu";

import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";

/** On a phone, Discuss's boxes are tabs: the Failed mailbox is one, after the Inbox. */
patch(MessagingMenu.prototype, {
    get _tabs() {
        const tabs = super._tabs;
        if (!this.store.failed) {
            return tabs;
        }
        return [
            ...tabs,
            {
                counter: this.store.failed.counter,
                icon: "fa fa-exclamation-triangle",
                id: "failed",
                label: _t("Failed"),
                sequence: 110,
            },
        ];
    },
    onClickNavTab(tabId) {
        if (tabId !== "failed") {
            return super.onClickNavTab(...arguments);
        }
        if (this.store.discuss.activeTab !== "failed") {
            this.store.failed.setAsDiscussThread();
        }
    },
});
