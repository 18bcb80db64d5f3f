import { fields } from "@mail/core/common/record";
import { isRecord } from "@mail/model/misc";
import { Store } from "@mail/core/common/store_service";

import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";

/** @type {import("models").Store} */
const storePatch = {
    setup() {
        super.setup(...arguments);
        /**
         * The Failed mailbox: messages of the current user whose email failed
         * for a recipient and that nobody reviewed yet. The server sends its
         * counter at start (`failed: { counter, counter_bus_id }`) and on the
         * bus.
         */
        this.failed = fields.One("Thread");
    },
    /**
     * The server's live updates of the counter carry no id
     * (`Store: { failed: { counter } }`): they are about our mailbox, not a
     * new thread.
     */
    update(data) {
        const failed = data?.failed;
        if (failed && typeof failed === "object" && !Array.isArray(failed) && !isRecord(failed)) {
            if (failed.id === undefined && failed.model === undefined) {
                data = { ...data, failed: { ...failed, id: "failed", model: "mail.box" } };
            }
        }
        return super.update(data);
    },
    onStarted() {
        super.onStarted(...arguments);
        this.failed = {
            display_name: _t("Failed"),
            id: "failed",
            model: "mail.box",
        };
    },
    /**
     * Reviews every failed message of the current user at once: those the
     * user may act on (the others stay).
     */
    async trackingSetAllReviewed() {
        await this.env.services.orm.call("mail.message", "tracking_set_all_reviewed");
        // the server pushes the updated messages and counter; apply it right away too
        for (const message of [...this.failed.messages]) {
            if (message.tracking_can_act) {
                message.onTrackingReviewed();
            }
        }
    },
};
patch(Store.prototype, storePatch);
