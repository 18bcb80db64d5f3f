import { Component } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

/**
 * Whether a person opened, clicked or replied to a tracking email, as the
 * lists show it: a check mark named after its column, or nothing. A column
 * never gets narrower than its header needs in the addon's languages
 * ("Con risposta", "Beantwortet"), even when a wide list shrinks its columns.
 */
export class EngagementMarkField extends Component {
    static template = "mail_activity_tracking.EngagementMarkField";
    static props = { ...standardFieldProps, label: { type: String, optional: true } };

    get isMarked() {
        return Boolean(this.props.record.data[this.props.name]);
    }
}

registry.category("fields").add("tracking_engagement_mark", {
    component: EngagementMarkField,
    displayName: _t("Engagement mark"),
    supportedTypes: ["integer", "boolean"],
    extractProps: ({ string }) => ({ label: string }),
    listViewWidth: [115, 160],
});
