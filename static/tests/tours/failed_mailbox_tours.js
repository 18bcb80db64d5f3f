import { registry } from "@web/core/registry";

function fail(message) {
    throw new Error(message);
}

const COUNTER = ".o-mail-Mailbox[data-mailbox-id='failed'] .o-mail-FailedMailbox-counter";

/** @param {string} text */
function message(text) {
    return `.o-mail-Thread .o-mail-Message:contains(${text})`;
}

registry.category("web_tour.tours").add("mail_activity_tracking_failed_mailbox", {
    steps: () => [
        {
            content: "Failed comes after Starred, with a red counter",
            trigger: `.o-mail-Mailbox[data-mailbox-id='starred'] ~ .o-mail-Mailbox[data-mailbox-id='failed']:contains(Failed) .o-mail-FailedMailbox-counter:contains(4)`,
            run() {
                const badge = document.querySelector(COUNTER);
                const color = getComputedStyle(badge).backgroundColor;
                const [r, g, b] = color.match(/\d+/g).map(Number);
                if (!(r > 150 && g < 100 && b < 100)) {
                    fail(`the counter is not red: ${color}`);
                }
            },
        },
        {
            content: "The Failed mailbox is open",
            trigger: ".o-mail-Mailbox.o-active[data-mailbox-id='failed']",
        },
        {
            content: "Each message shows its failed recipient and why",
            trigger: `${message("First failure")} .o-mail-FailedMessageActions-recipient:contains(Fay Failing):contains(550 5.1.1 first reason)`,
        },
        {
            trigger: `${message("Second failure")} .o-mail-FailedMessageActions-recipient:contains(550 5.1.1 second reason)`,
        },
        {
            trigger: `${message("Third failure")}`,
        },
        {
            trigger: `${message("Fourth failure")}`,
        },
        {
            content: "Set the first as reviewed",
            trigger: `${message("First failure")} .o-mail-FailedMessageActions-reviewed`,
            run: "click",
        },
        {
            content: "It leaves the mailbox, the counter decreases",
            trigger: `.o-mail-Thread:not(:has(.o-mail-Message:contains(First failure))) `,
        },
        {
            trigger: `${COUNTER}:contains(3)`,
        },
        {
            content: "Retry the second",
            trigger: `${message("Second failure")} .o-mail-FailedMessageActions-retry`,
            run: "click",
        },
        {
            content: "It leaves the mailbox too",
            trigger: `.o-mail-Thread:not(:has(.o-mail-Message:contains(Second failure)))`,
        },
        {
            trigger: `${COUNTER}:contains(2)`,
        },
        {
            content: "Mark all as reviewed",
            trigger: ".o-mail-DiscussContent-header button:contains(Mark all as reviewed)",
            run: "click",
        },
        {
            content: "A confirmation is asked: cancel",
            trigger: ".modal .modal-body:contains(All your failed messages will leave the Failed mailbox)",
        },
        {
            trigger: ".modal .modal-footer button:contains(Cancel)",
            run: "click",
        },
        {
            content: "Nothing changed",
            trigger: `body:not(:has(.modal)) ${message("Third failure")}`,
        },
        {
            trigger: ".o-mail-DiscussContent-header button:contains(Mark all as reviewed)",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal .modal-footer button:contains(Mark all as reviewed)",
            run: "click",
        },
        {
            content: "The mailbox is empty, without reload",
            trigger: ".o-mail-Thread h4:contains(No failed messages)",
        },
        {
            content: "No counter any more",
            trigger: `.o-mail-Mailbox[data-mailbox-id='failed']:not(:has(.o-mail-FailedMailbox-counter))`,
        },
    ],
});

registry.category("web_tour.tours").add("mail_activity_tracking_filter_column", {
    steps: () => [
        {
            content: "Contacts, as a list",
            trigger: ".o_control_panel .o_switch_view.o_list",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row",
        },
        {
            content: "Only the two companies of the test",
            trigger: ".o_searchview_input",
            run: "edit Filter Co",
        },
        {
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            trigger: ".o_list_view:not(:has(.o_data_row:nth-child(3))) .o_data_row:contains(Happy Filter Co)",
        },
        {
            content: "Open the filters",
            trigger: ".o_control_panel .o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Filter by its label",
            trigger: ".o_filter_menu .o_menu_item:contains(Failed sent messages)",
            run: "click",
        },
        {
            content: "Only the record with a failed message is left",
            trigger:
                ".o_list_view:not(:has(.o_data_row:contains(Happy Filter Co))) .o_data_row:contains(Failing Filter Co)",
        },
        {
            trigger: ".o_searchview_facet:contains(Failed sent messages)",
        },
        {
            content: "Remove the filter",
            trigger: ".o_searchview_facet:contains(Failed sent messages) .o_facet_remove",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains(Happy Filter Co)",
        },
        {
            content: "Show the optional Mail State column",
            trigger: ".o_list_view .o_optional_columns_dropdown button",
            run: "click",
        },
        {
            trigger: "input[name='mail_tracking_state']:not(:checked)",
            run: "click",
        },
        {
            content: "The column, labelled Mail State",
            trigger: ".o_list_view th[data-name='mail_tracking_state']:contains(Mail State)",
        },
        {
            content: "The state of the last email of each record",
            trigger: ".o_data_row:contains(Happy Filter Co) td[name='mail_tracking_state']:contains(Opened)",
        },
        {
            trigger: ".o_data_row:contains(Failing Filter Co) td[name='mail_tracking_state']:contains(Error)",
        },
    ],
});

registry.category("web_tour.tours").add("mail_activity_tracking_failed_mailbox_phone", {
    steps: () => [
        {
            content: "On a phone, Discuss's tabs include Failed, with its red counter",
            trigger:
                ".o-mail-MessagingMenu-navbar .o-mail-MessagingMenu-tab[aria-label='Failed'] .o-mail-MessagingMenu-tabCounter:contains(1)",
            run({ anchor: badge }) {
                const [r, g, b] = getComputedStyle(badge).backgroundColor.match(/\d+/g).map(Number);
                if (!(r > 150 && g < 100 && b < 100)) {
                    fail(`the counter is not red: ${getComputedStyle(badge).backgroundColor}`);
                }
            },
        },
        {
            content: "Open the Failed box",
            trigger: ".o-mail-MessagingMenu-tab[aria-label='Failed']",
            run: "click",
        },
        {
            content: "Its tab is the active one",
            trigger: ".o-mail-MessagingMenu-tab.active[aria-label='Failed']",
        },
        {
            content: "The failed message, with what failed and the ways out",
            trigger: `${message("Phone failure")} .o-mail-FailedMessageActions-recipient:contains(Fay Failing)`,
        },
        {
            content: "Set it as reviewed",
            trigger: `${message("Phone failure")} .o-mail-FailedMessageActions-reviewed`,
            run: "click",
        },
        {
            content: "It leaves the box, and the counter goes",
            trigger: ".o-mail-MessagingMenu-tab[aria-label='Failed']:not(:has(.o-mail-MessagingMenu-tabCounter))",
        },
        {
            trigger: ".o-mail-Thread:not(:has(.o-mail-Message:contains(Phone failure)))",
        },
    ],
});
