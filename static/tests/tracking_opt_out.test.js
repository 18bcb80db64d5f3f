import { contains, defineMailModels, start } from "@mail/../tests/mail_test_helpers";
import { describe, expect, test } from "@odoo/hoot";
import { mountWithCleanup, onRpc } from "@web/../tests/web_test_helpers";

import { TrackingDetailsPopover } from "@mail_activity_tracking/tracking_details/tracking_details_popover";

describe.current.tags("desktop");
defineMailModels();

function details(values = {}) {
    return {
        id: 7,
        name: "Your invoice",
        recipient: "Otto <otto@example.com>",
        sender: "Mitchell Admin <admin@example.com>",
        state: "sent",
        state_label: "Sent",
        time: "2026-01-02 10:00:00",
        events: [],
        ...values,
    };
}

test("the details say why opens and clicks of an email are not tracked", async () => {
    onRpc("/mail/tracking/details", () =>
        details({ not_tracked_reason: "Not tracked: the recipient asked not to be tracked." }),
    );
    await start();
    await mountWithCleanup(TrackingDetailsPopover, { props: { trackingId: 7 } });
    await contains("tr[data-field='not_tracked'] th", { text: "Opens and clicks" });
    await contains("tr[data-field='not_tracked'] td", {
        text: "Not tracked: the recipient asked not to be tracked.",
    });
});

test("no such line for a tracked email", async () => {
    onRpc("/mail/tracking/details", () => details());
    await start();
    await mountWithCleanup(TrackingDetailsPopover, { props: { trackingId: 7 } });
    await contains("tr[data-field='state'] td", { text: "Sent" });
    expect("tr[data-field='not_tracked']").toHaveCount(0);
});
