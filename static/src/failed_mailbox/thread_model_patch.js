import { Thread } from "@mail/core/common/thread_model";

import { patch } from "@web/core/utils/patch";

/** @type {import("models").Thread} */
const threadPatch = {
    get isFailedMailbox() {
        return this.model === "mail.box" && this.id === "failed";
    },
    getFetchRoute() {
        if (this.isFailedMailbox) {
            return "/mail/failed/messages";
        }
        return super.getFetchRoute(...arguments);
    },
};
patch(Thread.prototype, threadPatch);
