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
    const all = {
        waiting: [_t("Waiting"), _t("Waiting to be sent")],
        error: [_t("Error"), _t("Error while sending")],
        sent: [_t("Sent"), _t("Sent to SMTP server configured")],
        delivered: [_t("Delivered"), _t("Delivered to final MX server")],
        opened: [_t("Opened"), _t("Opened by partner")],
        cc: [_t("Cc"), _t("It's a Carbon-Copy recipient. Can't know the status so is 'Unknown'")],
        noemail: [_t("No Email"), _t("The partner doesn't have a defined email")],
        anonuser: [_t("No Partner"), _t("The recipient doesn't have a defined partner")],
        unknown: [
            _t("Unknown"),
            _t(
                "No email tracking info available. Maybe this notified partner has 'Receive Inbox Notifications by Email' == 'Never'",
            ),
        ],
    };
    const texts = Object.hasOwn(all, status) ? all[status] : null;
    return texts && { name: texts[0], description: texts[1] };
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
