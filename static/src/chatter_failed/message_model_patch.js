import { Message } from "@mail/core/common/message_model";

import { patch } from "@web/core/utils/patch";

import "@mail_activity_tracking/message_tracking/message_model_patch";

/** @type {import("models").Message} */
const messagePatch = {
    /** A message that newly failed joins the failed block of its chatter. */
    onUpdateIsFailedMessage() {
        super.onUpdateIsFailedMessage(...arguments);
        const thread = this.thread;
        if (this.is_failed_message && thread?.failedMessagesLoaded) {
            thread.failedMessages.add(this);
        }
    },
};
patch(Message.prototype, messagePatch);
