import { fields } from "@mail/core/common/record";
import { Thread } from "@mail/core/common/thread_model";

import { rpc } from "@web/core/network/rpc";
import { patch } from "@web/core/utils/patch";

/** @type {import("models").Thread} */
const threadPatch = {
    setup() {
        super.setup(...arguments);
        /** The current user's failed messages on this record, any page. */
        this.failedMessages = fields.Many("mail.message", {
            sort: (m1, m2) => m2.id - m1.id,
        });
        this.failedMessagesLoaded = false;
    },
    get isFailedMailbox() {
        return this.model === "mail.box" && this.id === "failed";
    },
    /** On a phone, the Failed box is a tab of its own (``messaging_menu_patch.js``). */
    setAsDiscussThread() {
        super.setAsDiscussThread(...arguments);
        if (this.isFailedMailbox && this.store.env.services.ui.isSmall) {
            this.store.discuss.activeTab = "failed";
        }
    },
    getFetchRoute() {
        if (this.isFailedMailbox) {
            return "/mail/failed/messages";
        }
        return super.getFetchRoute(...arguments);
    },
    /** @returns {import("models").Message[]} */
    get failedMessagesToShow() {
        return this.failedMessages.filter((message) => message.is_failed_message);
    },
    async fetchFailedMessages() {
        if (!this.id || typeof this.id !== "number" || this.model === "discuss.channel") {
            return;
        }
        const { data, messages } = await rpc(
            "/mail/tracking/thread_failed",
            { thread_model: this.model, thread_id: this.id },
            { silent: true },
        );
        this.store.insert(data);
        this.failedMessages = messages.map((id) => ({ id }));
        this.failedMessagesLoaded = true;
    },
};
patch(Thread.prototype, threadPatch);
