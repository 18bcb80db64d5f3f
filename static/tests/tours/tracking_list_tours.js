import { registry } from "@web/core/registry";

import { fail } from "@mail_activity_tracking/../tests/tours/recipient_steps";

/** @param {string} recipient */
function row(recipient) {
    return `.o_data_row:has(td[name='recipient']:contains(${JSON.stringify(recipient)}))`;
}

/** The header of the column of ``field`` reads ``label`` in full. */
function headerStep(field, label) {
    return {
        content: `The "${label}" column header is not cut`,
        trigger: `.o_list_table th[data-name='${field}']:contains(${JSON.stringify(label)})`,
        run({ anchor: header }) {
            for (const element of [header, ...header.querySelectorAll("*")]) {
                if (element.textContent.trim() && element.scrollWidth > element.clientWidth + 1) {
                    fail(`"${header.textContent.trim()}" is cut: ${element.scrollWidth}px in ${element.clientWidth}px`);
                }
            }
        },
    };
}

/** The cell of ``field`` in the row of ``recipient`` shows a check mark, or nothing. */
function markStep(recipient, field, label, marked) {
    const cell = `${row(recipient)} td[name='${field}']`;
    return {
        content: `${recipient}: ${field} ${marked ? "checked" : "empty"}`,
        trigger: marked ? `${cell} i.fa-check[title=${JSON.stringify(label)}]` : `${cell}:not(:has(i))`,
        run({ anchor }) {
            const text = (marked ? anchor.closest("td") : anchor).textContent.trim();
            if (text) {
                fail(`${recipient}: the ${field} cell reads "${text}" instead of a mark`);
            }
        },
    };
}

registry.category("web_tour.tours").add("mail_activity_tracking_tracking_list", {
    steps: () => [
        {
            content: "The waiting email's state reads Waiting, as in the chatter",
            trigger: `${row("Wanda Waiting")} td[name='state'] .badge:contains(Waiting)`,
        },
        {
            content: "The other states read as before",
            trigger: `${row("Sam Sent")} td[name='state'] .badge:contains(Sent)`,
        },
        {
            trigger: `${row("Oscar Opened")} td[name='state'] .badge:contains(Opened)`,
        },
        headerStep("human_opened", "Opened"),
        headerStep("clicked", "Clicked"),
        headerStep("replied", "Replied"),
        markStep("Oscar Opened", "human_opened", "Opened", true),
        markStep("Oscar Opened", "clicked", "Clicked", true),
        markStep("Oscar Opened", "replied", "Replied", true),
        markStep("Sam Sent", "human_opened", "Opened", false),
        markStep("Sam Sent", "clicked", "Clicked", false),
        markStep("Sam Sent", "replied", "Replied", false),
        markStep("Wanda Waiting", "human_opened", "Opened", false),
    ],
});
