import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { BadgeField, badgeField } from "@web/views/fields/badge/badge_field";

import { getTrackingStatusInfo } from "@mail_activity_tracking/tracking_status/tracking_status";

/**
 * The state of a tracking email as a badge. A waiting email has no state
 * yet (the server's tools/states.py: empty means waiting): it reads
 * "Waiting", as its recipient's status does in the chatter.
 */
export class TrackingStateBadgeField extends BadgeField {
    static template = "mail_activity_tracking.TrackingStateBadgeField";

    get formattedValue() {
        if (!this.props.record.data[this.props.name]) {
            return getTrackingStatusInfo("waiting").name;
        }
        return super.formattedValue;
    }
}

registry.category("fields").add("tracking_state_badge", {
    ...badgeField,
    component: TrackingStateBadgeField,
    displayName: _t("Tracking state"),
    supportedTypes: ["selection"],
});
