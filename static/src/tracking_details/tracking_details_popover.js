import { Component, onWillStart, useState } from "@odoo/owl";
import { deserializeDateTime, formatDateTime } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { rpc } from "@web/core/network/rpc";

/**
 * Formats a datetime of the server ("YYYY-MM-DD HH:MM:SS", UTC) in the
 * user's timezone and format; any other value is shown as it came.
 *
 * @param {string|false} value
 * @returns {string}
 */
export function formatTrackingTime(value) {
    if (!value) {
        return "";
    }
    try {
        const datetime = deserializeDateTime(value);
        return datetime.isValid ? formatDateTime(datetime) : String(value);
    } catch {
        return String(value);
    }
}

/**
 * Details of one tracking email (POST /mail/tracking/details): state, times,
 * SMTP server, error and bounce, and its events. Every value comes from the
 * outside world (mail servers, mail clients): the template only renders them
 * as text.
 */
export class TrackingDetailsPopover extends Component {
    static template = "mail_activity_tracking.TrackingDetailsPopover";
    static props = { trackingId: Number, close: { type: Function, optional: true } };

    setup() {
        this.state = useState({ loading: true, details: null, failed: false });
        onWillStart(() => this.load());
    }

    async load() {
        try {
            this.state.details = await rpc("/mail/tracking/details", {
                tracking_id: this.props.trackingId,
            });
        } catch {
            this.state.failed = true;
        }
        this.state.loading = false;
    }

    get rows() {
        const details = this.state.details;
        const rows = [
            { name: "state", label: _t("Status"), value: details.state_label || details.state },
            { name: "time", label: _t("Sent on"), value: formatTrackingTime(details.time) },
            { name: "recipient", label: _t("Recipient"), value: details.recipient },
            { name: "sender", label: _t("Sender"), value: details.sender },
            { name: "smtp_server", label: _t("SMTP server"), value: details.error_smtp_server },
            {
                name: "error",
                label: _t("Error"),
                value: [details.error_type, details.error_description].filter(Boolean).join(": "),
            },
            {
                name: "bounce",
                label: _t("Bounce"),
                value: [details.bounce_type, details.bounce_description].filter(Boolean).join(": "),
            },
            { name: "not_tracked", label: _t("Opens and clicks"), value: details.not_tracked_reason },
        ];
        return rows.filter((row) => row.value);
    }

    /** @param {Object} event */
    eventClient(event) {
        const parts = [event.ua_family, event.os_family].filter(Boolean);
        if (event.mobile) {
            parts.push(_t("mobile"));
        }
        return parts.join(" · ");
    }

    /** @param {Object} event */
    eventDetails(event) {
        return [event.engagement_note, event.url, event.smtp_server, event.error_description]
            .filter(Boolean)
            .join(" — ");
    }

    formatTime(value) {
        return formatTrackingTime(value);
    }
}
