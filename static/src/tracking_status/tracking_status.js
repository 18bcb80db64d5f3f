import { Component } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { usePopover } from "@web/core/popover/popover_hook";

import { TrackingDetailsPopover } from "@mail_activity_tracking/tracking_details/tracking_details_popover";

/**
 * Label and description of each status a recipient of a tracked message can
 * have, as the server computes it (`tracking_recipients[].status`, from the
 * states of the server's tools/states.py); null for a status this client
 * does not know (shown as "unknown").
 *
 * @param {string} status
 * @returns {{ name: string, description: string } | null}
 */
export function getTrackingStatusInfo(status) {
    switch (status) {
        case "waiting":
            return { name: _t("Waiting"), description: _t("Waiting to be sent") };
        case "error":
            return { name: _t("Error"), description: _t("Error while sending") };
        case "sent":
            return { name: _t("Sent"), description: _t("Sent to SMTP server configured") };
        case "delivered":
            return { name: _t("Delivered"), description: _t("Delivered to final MX server") };
        case "opened":
            return { name: _t("Opened"), description: _t("Opened by partner") };
        case "cc":
            return {
                name: _t("Cc"),
                description: _t("It's a Carbon-Copy recipient. Can't know the status so is 'Unknown'"),
            };
        case "noemail":
            return {
                name: _t("No Email"),
                description: _t("The partner doesn't have a defined email"),
            };
        case "anonuser":
            return {
                name: _t("No Partner"),
                description: _t("The recipient doesn't have a defined partner"),
            };
        case "unknown":
            return {
                name: _t("Unknown"),
                description: _t(
                    "No email tracking info available. Maybe this notified partner has 'Receive Inbox Notifications by Email' == 'Never'",
                ),
            };
        default:
            return null;
    }
}

/**
 * The status icon shown right of a recipient's name: one distinct shape per
 * status (an inline SVG, colour only reinforces it), with the status name and
 * description as tooltip and accessible label. When the recipient has a
 * tracking email, a click opens its details.
 */
export class TrackingStatus extends Component {
    static template = "mail_activity_tracking.TrackingStatus";
    static props = {
        recipient: Object,
        /** open the details popover on click (when there is a tracking) */
        clickable: { type: Boolean, optional: true },
    };
    static defaultProps = { clickable: true };

    setup() {
        this.popover = usePopover(TrackingDetailsPopover, {
            position: "bottom",
            popoverClass: "o-mail-TrackingDetailsPopover-container",
        });
    }

    get status() {
        const status = this.props.recipient.status;
        return getTrackingStatusInfo(status) ? status : "unknown";
    }

    get info() {
        return getTrackingStatusInfo(this.status);
    }

    get title() {
        const { name, description } = this.info;
        return _t("%(status)s: %(description)s", { status: name, description });
    }

    get isClickable() {
        return this.props.clickable && Boolean(this.props.recipient.tracking_id);
    }

    /** @param {MouseEvent} ev */
    onClick(ev) {
        if (!this.isClickable) {
            return;
        }
        ev.stopPropagation();
        if (this.popover.isOpen) {
            this.popover.close();
            return;
        }
        this.popover.open(ev.currentTarget, { trackingId: this.props.recipient.tracking_id });
    }
}
