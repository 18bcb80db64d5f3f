import { click, contains, defineMailModels, start } from "@mail/../tests/mail_test_helpers";
import { describe, expect, test } from "@odoo/hoot";
import { queryAll } from "@odoo/hoot-dom";
import { Component, xml } from "@odoo/owl";
import { mountWithCleanup, onRpc } from "@web/../tests/web_test_helpers";

import { TrackingStatus } from "@mail_activity_tracking/tracking_status/tracking_status";

import { STATUS_TITLES } from "@mail_activity_tracking/../tests/seed_wording";

describe.current.tags("desktop");
defineMailModels();

class Statuses extends Component {
    static components = { TrackingStatus };
    static props = ["recipients"];
    static template = xml`
        <div class="o-test-statuses">
            <t t-foreach="props.recipients" t-as="recipient" t-key="recipient_index">
                <TrackingStatus recipient="recipient"/>
            </t>
        </div>`;
}

function recipient(status, trackingId = false) {
    return { tracking_id: trackingId, partner_id: false, name: status, email: false, status };
}

test("one icon per status, with the status name and description as title and label", async () => {
    await start();
    await mountWithCleanup(Statuses, {
        props: { recipients: Object.keys(STATUS_TITLES).map((status) => recipient(status)) },
    });
    await contains(".o-mail-TrackingStatus", { count: 9 });
    for (const [status, title] of Object.entries(STATUS_TITLES)) {
        expect(`.o-mail-TrackingStatus[data-status='${status}']`).toHaveAttribute("title", title);
        expect(`.o-mail-TrackingStatus[data-status='${status}']`).toHaveAttribute("aria-label", title);
        expect(`.o-mail-TrackingStatus[data-status='${status}'] svg`).toHaveCount(1);
    }
    // a shape of its own for each status, not only a colour
    const shapes = queryAll(".o-mail-TrackingStatus svg").map((svg) => svg.innerHTML.replace(/ class="[^"]*"/g, ""));
    expect(new Set(shapes).size).toBe(9);
});

test("an unexpected status shows as unknown", async () => {
    await start();
    await mountWithCleanup(TrackingStatus, { props: { recipient: recipient("strange") } });
    await contains(".o-mail-TrackingStatus[data-status='unknown']");
    expect(".o-mail-TrackingStatus").toHaveAttribute("title", STATUS_TITLES.unknown);
});

test("only a recipient with a tracking opens details", async () => {
    await start();
    await mountWithCleanup(Statuses, {
        props: { recipients: [recipient("sent", 12), recipient("cc")] },
    });
    await contains("button.o-mail-TrackingStatus[data-status='sent']");
    await contains("span.o-mail-TrackingStatus[data-status='cc'][role='img']");
    expect("button.o-mail-TrackingStatus[data-status='cc']").toHaveCount(0);
});

test("clicking the icon toggles the details popover", async () => {
    onRpc("/mail/tracking/details", async (request) => {
        const { params } = await request.json();
        expect.step(`details ${params.tracking_id}`);
        return { id: params.tracking_id, name: "Subject", state: "sent", state_label: "Sent", events: [] };
    });
    await start();
    await mountWithCleanup(TrackingStatus, { props: { recipient: recipient("sent", 12) } });
    await click(".o-mail-TrackingStatus");
    await contains(".o-mail-TrackingDetailsPopover-title", { text: "Subject" });
    expect.verifySteps(["details 12"]);
    await click(".o-mail-TrackingStatus");
    await contains(".o-mail-TrackingDetailsPopover", { count: 0 });
});
