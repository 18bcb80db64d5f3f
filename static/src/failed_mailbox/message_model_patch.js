import { Message } from "@mail/core/common/message_model";

import { patch } from "@web/core/utils/patch";

import "@mail_activity_tracking/message_tracking/message_model_patch";

/** @type {import("models").Message} */
const messagePatch = {
    /**
     * Keeps the Failed mailbox in line with the messages the server sends
     * (fetches and bus): a message that is no longer failed leaves it; a
     * message that newly failed joins it once the mailbox is loaded.
     */
    onUpdateIsFailedMessage() {
        super.onUpdateIsFailedMessage(...arguments);
        const failedBox = this.store.failed;
        if (!failedBox) {
            return;
        }
        const inBox = failedBox.messages.some((message) => message.eq(this));
        if (!this.is_failed_message) {
            if (inBox) {
                failedBox.messages.delete(this);
            }
            return;
        }
        if (inBox || !failedBox.isLoaded || failedBox.status === "loading") {
            return;
        }
        // not before the oldest loaded one: older pages are fetched on scroll
        const oldest = failedBox.messages[0];
        if (failedBox.loadOlder && oldest && this.id < oldest.id) {
            return;
        }
        failedBox.messages.add(this);
        failedBox.messages.sort((m1, m2) => m1.id - m2.id);
    },
};
patch(Message.prototype, messagePatch);
