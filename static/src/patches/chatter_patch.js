import { Chatter } from "@mail/chatter/web_portal/chatter";

import { patch } from "@web/core/utils/patch";

import { FailedMessageActions } from "@mail_activity_tracking/failed_message/failed_message_actions";

Object.assign(Chatter.components, { FailedMessageActions });

patch(Chatter.prototype, {
    /**
     * Each time the chatter loads its record, it also fetches the current
     * user's failed messages on it, whatever page of the thread they are on.
     *
     * @override
     */
    async load(thread, requestList) {
        const result = super.load(...arguments);
        if (thread?.id && this.state.thread?.eq(thread)) {
            thread.fetchFailedMessages().catch(() => {});
        }
        return result;
    },

    /** @returns {import("models").Message[]} */
    get failedMessages() {
        return this.state.thread?.failedMessagesToShow ?? [];
    },

    /** @param {import("models").Message} message */
    onClickFailedMessage(message) {
        this.state.thread.highlightMessage = message;
    },
});
