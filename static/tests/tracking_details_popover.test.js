import { contains, defineMailModels, start } from "@mail/../tests/mail_test_helpers";
import { describe, expect, test } from "@odoo/hoot";
import { mountWithCleanup, onRpc } from "@web/../tests/web_test_helpers";

import { TrackingDetailsPopover } from "@mail_activity_tracking/tracking_details/tracking_details_popover";

describe.current.tags("desktop");
defineMailModels();

const EVIL = `<img src="x" onerror="window.__tracking_xss = true">`;

function details(values = {}) {
    return {
        id: 5,
        name: "Delivery of your order",
        recipient: "Lumber Inc <lumber@example.com>",
        sender: "Mitchell Admin <admin@example.com>",
        state: "bounced",
        state_label: "Bounced",
        time: "2026-01-02 10:00:00",
        error_smtp_server: "smtp.example.com",
        error_type: "5.1.1",
        error_description: `mailbox unavailable ${EVIL}`,
        bounce_type: "5.1.1",
        bounce_description: "550 <b>User unknown</b>",
        events: [
            {
                id: 1,
                time: "2026-01-02 10:00:00",
                event_type: "sent",
                event_type_label: "Sent",
                ip: false,
                user_agent: false,
                os_family: false,
                ua_family: false,
                mobile: false,
                smtp_server: "smtp.example.com",
                error_description: false,
            },
            {
                id: 2,
                time: "2026-01-02 10:05:00",
                event_type: "open",
                event_type_label: "Opened",
                ip: "203.0.113.7",
                user_agent: EVIL,
                os_family: "Linux",
                ua_family: `Thunderbird ${EVIL}`,
                mobile: true,
                smtp_server: false,
                error_description: false,
            },
        ],
        ...values,
    };
}

test("state, times, server, error, bounce and events, all as text", async () => {
    onRpc("/mail/tracking/details", async (request) => {
        const { params } = await request.json();
        expect.step(`details ${params.tracking_id}`);
        return details();
    });
    await start();
    await mountWithCleanup(TrackingDetailsPopover, { props: { trackingId: 5 } });
    await contains(".o-mail-TrackingDetailsPopover-title", { text: "Delivery of your order" });
    expect.verifySteps(["details 5"]);
    await contains("tr[data-field='state'] td", { text: "Bounced" });
    await contains("tr[data-field='time'] td");
    await contains("tr[data-field='sender'] td", { text: "Mitchell Admin <admin@example.com>" });
    await contains("tr[data-field='smtp_server'] td", { text: "smtp.example.com" });
    await contains("tr[data-field='error'] td", { text: `5.1.1: mailbox unavailable ${EVIL}` });
    await contains("tr[data-field='bounce'] td", { text: "5.1.1: 550 <b>User unknown</b>" });
    await contains(".o-mail-TrackingDetailsPopover-event", { count: 2 });
    await contains(".o-mail-TrackingDetailsPopover-event[data-event-type='open'] td", {
        text: "203.0.113.7",
    });
    await contains(".o-mail-TrackingDetailsPopover-event[data-event-type='open'] td", {
        text: `Thunderbird ${EVIL} · Linux · mobile`,
    });
    // nothing from the outside world became markup
    expect(".o-mail-TrackingDetailsPopover img").toHaveCount(0);
    expect(".o-mail-TrackingDetailsPopover b").toHaveCount(0);
    expect(window.__tracking_xss).toBe(undefined);
});

test("empty values are left out", async () => {
    onRpc("/mail/tracking/details", () =>
        details({
            error_smtp_server: false,
            error_type: false,
            error_description: false,
            bounce_type: false,
            bounce_description: false,
            state: "opened",
            state_label: "Opened",
            events: [],
        }),
    );
    await start();
    await mountWithCleanup(TrackingDetailsPopover, { props: { trackingId: 5 } });
    await contains("tr[data-field='state'] td", { text: "Opened" });
    expect("tr[data-field='error']").toHaveCount(0);
    expect("tr[data-field='bounce']").toHaveCount(0);
    expect("tr[data-field='smtp_server']").toHaveCount(0);
    await contains(".o-mail-TrackingDetailsPopover-noEvents");
});

test("a tracking the user may not read", async () => {
    onRpc("/mail/tracking/details", () => false);
    await start();
    await mountWithCleanup(TrackingDetailsPopover, { props: { trackingId: 5 } });
    await contains(".o-mail-TrackingDetailsPopover-unavailable");
    expect(".o-mail-TrackingDetailsPopover table").toHaveCount(0);
});

test("who opened and what was clicked, machines apart", async () => {
    const open = details().events[1];
    onRpc("/mail/tracking/details", () =>
        details({
            state: "opened",
            state_label: "Opened",
            events: [
                {
                    ...open,
                    id: 3,
                    ua_family: "Apple Mail Privacy Protection",
                    open_kind: "prefetch",
                    automatic: true,
                    engagement_note: "Opened by Apple Mail Privacy Protection",
                    url: false,
                },
                {
                    ...open,
                    id: 4,
                    event_type: "click",
                    event_type_label: "Click",
                    open_kind: "person",
                    automatic: false,
                    engagement_note: "Clicked by a person",
                    url: `https://example.com/offer?${EVIL}`,
                },
            ],
        }),
    );
    await start();
    await mountWithCleanup(TrackingDetailsPopover, { props: { trackingId: 5 } });
    await contains(".o-mail-TrackingDetailsPopover-event[data-open-kind='prefetch'].text-muted td", {
        text: "Opened by Apple Mail Privacy Protection",
    });
    await contains(".o-mail-TrackingDetailsPopover-event[data-event-type='click'] td", {
        text: `Clicked by a person — https://example.com/offer?${EVIL}`,
    });
    expect(".o-mail-TrackingDetailsPopover-event[data-event-type='click'].text-muted").toHaveCount(0);
    expect(".o-mail-TrackingDetailsPopover img").toHaveCount(0);
});
