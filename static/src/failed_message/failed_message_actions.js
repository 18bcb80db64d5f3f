import { Component, useState } from "@odoo/owl";

import { getTrackingStatusInfo } from "@mail_activity_tracking/tracking_status/tracking_status";

/**
 * The failed recipients of a message, each with the reason of the failure,
 * and the two ways out of the Failed mailbox: "Retry" (send again to them)
 * and "Set as reviewed".
 */
export class FailedMessageActions extends Component {
    static template = "mail_activity_tracking.FailedMessageActions";
    static props = { message: Object, className: { type: String, optional: true } };
    static defaultProps = { className: "" };

    setup() {
        this.state = useState({ busy: false });
    }

    get failedRecipients() {
        return this.props.message.failedTrackingRecipients;
    }

    /** @param {Object} recipient */
    recipientName(recipient) {
        return recipient.name || recipient.email || "";
    }

    /** @param {Object} recipient */
    recipientEmail(recipient) {
        return `<${recipient.email}>`;
    }

    /** @param {Object} recipient */
    reason(recipient) {
        return recipient.error || getTrackingStatusInfo("error").description;
    }

    async onClickRetry() {
        await this.run(() => this.props.message.trackingRetry());
    }

    async onClickSetReviewed() {
        await this.run(() => this.props.message.trackingSetReviewed());
    }

    /** @param {() => Promise} action */
    async run(action) {
        if (this.state.busy) {
            return;
        }
        this.state.busy = true;
        try {
            await action();
        } finally {
            this.state.busy = false;
        }
    }
}
