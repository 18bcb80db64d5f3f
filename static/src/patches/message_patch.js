import { Message } from "@mail/core/common/message";

import { patch } from "@web/core/utils/patch";

import { FailedMessageActions } from "@mail_activity_tracking/failed_message/failed_message_actions";
import { TrackingStatus } from "@mail_activity_tracking/tracking_status/tracking_status";

Object.assign(Message.components, { FailedMessageActions, TrackingStatus });

patch(Message.prototype, {
    /** @returns {Object[]} recipients of the emails of this message */
    get trackingRecipients() {
        return this.message.tracking_recipients || [];
    },

    /**
     * @param {Object} recipient
     * @param {number} index
     * @returns {string}
     */
    trackingRecipientKey(recipient, index) {
        return `${recipient.tracking_id || ""}-${recipient.partner_id || ""}-${index}`;
    },

    /**
     * Opens the contact of a recipient.
     *
     * @param {MouseEvent} ev
     * @param {Object} recipient
     */
    onClickTrackingRecipient(ev, recipient) {
        ev.preventDefault();
        ev.stopPropagation();
        this.env.services.action.doAction({
            type: "ir.actions.act_window",
            res_model: "res.partner",
            res_id: recipient.partner_id,
            views: [[false, "form"]],
            target: "current",
        });
    },
});
