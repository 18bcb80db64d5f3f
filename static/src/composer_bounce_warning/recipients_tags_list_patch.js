import { onWillStart, onWillUpdateProps, useState } from "@odoo/owl";
import { RecipientsInputTagsList } from "@mail/core/web/recipients_input_tags_list";
import { _t } from "@web/core/l10n/translation";
import { useService } from "@web/core/utils/hooks";
import { patch } from "@web/core/utils/patch";

import { formatTrackingTime } from "@mail_activity_tracking/tracking_details/tracking_details_popover";

/** @param {Object[]} tags */
function emailsOf(tags) {
    return tags.map((tag) => tag.email).filter(Boolean);
}

/**
 * The recipients of the chatter's composer and of the full composer (its
 * partner tags extend this list): a warning next to each recipient whose
 * address is known to be dead. Sending is not blocked.
 */
patch(RecipientsInputTagsList.prototype, {
    setup() {
        super.setup(...arguments);
        const service = useService("mail_activity_tracking.bounce_warnings");
        this.bounceWarnings = useState(service.warnings);
        onWillStart(() => {
            service.load(emailsOf(this.props.tags));
        });
        onWillUpdateProps((nextProps) => {
            service.load(emailsOf(nextProps.tags));
        });
    },

    /**
     * @param {Object} tag
     * @returns {string} the warning about the address of ``tag``, as text
     */
    bounceWarningText(tag) {
        const warning = tag.email && this.bounceWarnings[tag.email];
        if (!warning) {
            return "";
        }
        const values = {
            state: warning.state_label,
            date: formatTrackingTime(warning.time),
            reason: warning.reason,
        };
        return warning.reason ? _t("%(state)s on %(date)s: %(reason)s", values) : _t("%(state)s on %(date)s", values);
    },
});
