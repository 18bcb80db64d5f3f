import { registry } from "@web/core/registry";

import { checkIconStep } from "@mail_activity_tracking/../tests/tours/recipient_steps";

/**
 * An administrator whose language is French: the statuses in the chatter,
 * the Failed mailbox and the settings read French, in the words of Odoo's
 * own French ("Échec", "Réessayer").
 */
registry.category("web_tour.tours").add("mail_activity_tracking_french", {
    steps: () => [
        {
            content: "The recipients' line of the message",
            trigger: ".o-mail-Message:contains(Votre devis) .o-mail-Message-trackingTo:contains(À :)",
        },
        checkIconStep("Opal Ouvert", "opened", { title: "Ouvert : Ouvert par le partenaire" }),
        checkIconStep("Wanda Attente", "waiting", { title: "En attente : En attente d'envoi" }),
        checkIconStep("Erin Erreur", "error", { title: "Erreur : Erreur lors de l'envoi" }),
        checkIconStep("Ines Inbox", "unknown", {
            title:
                "Inconnu : Aucune information de suivi d'e-mail disponible. Ce partenaire notifié a peut-être " +
                "'Recevoir les notifications de la boîte de réception par e-mail' == 'Jamais'",
        }),
        {
            content: "The record's failed messages, on top of its chatter",
            trigger: ".o-mail-ChatterFailed-title:contains(Messages en échec)",
        },
        {
            content: "Open Discuss's Failed mailbox",
            trigger: "body",
            run() {
                window.location.href = "/odoo/action-mail.action_discuss?active_id=mail.box_failed";
            },
            expectUnloadPage: true,
        },
        {
            content: "The Failed mailbox, named as Odoo names a failure in French",
            trigger: ".o-mail-Mailbox.o-active[data-mailbox-id='failed']:contains(Échec)",
        },
        {
            content: "What failed, and the ways out",
            trigger: ".o-mail-Message:contains(Votre devis) .o-mail-FailedMessageActions-retry:contains(Réessayer)",
        },
        {
            trigger:
                ".o-mail-Message:contains(Votre devis) .o-mail-FailedMessageActions-reviewed:contains(Marquer comme examiné)",
        },
        {
            trigger: ".o-mail-DiscussContent-header button:contains(Tout marquer comme examiné)",
        },
        {
            content: "The settings",
            trigger: "body",
            run() {
                window.location.href = "/odoo/settings";
            },
            expectUnloadPage: true,
        },
        {
            content: "Click tracking",
            trigger: "#mail_tracking_click_tracking_setting:contains(Suivre les clics dans les e-mails)",
        },
        {
            trigger:
                "#mail_tracking_click_tracking_setting:contains(Enregistrer les clics sur les liens des e-mails envoyés à un destinataire)",
        },
        {
            content: "The privacy settings",
            trigger: ".o_setting_container:contains(Données client des ouvertures et des clics)",
        },
    ],
});
