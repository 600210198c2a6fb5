"""What the demo members write: posts, comments, messages and recommendations (fictional).

These strings are data written into the fictional export files, not interface text, so they are
deliberately not translated: a Québec circle writes mostly in French and sometimes in English.
"""

from __future__ import annotations

import random

POSTS_FR: tuple[str, ...] = (
    "Belle rencontre ce matin au déjeuner du cercle à {place}. On a parlé de prospection "
    "et de recommandations : trois présentations promises, à moi de faire les suivis !",
    "Ce qu'on me demande le plus en ce moment : comment vendre quand les acheteurs font 70 % "
    "de leur démarche avant même de nous appeler ? Ma réponse : être vu avant d'être appelé.",
    "Merci à toute l'équipe de {company} pour une année record en {sector}. "
    "Rien de tout ça sans nos clients fidèles de {place}.",
    "Petit rappel pour les directeurs des ventes : un client satisfait qui ne vous recommande "
    "pas, c'est souvent parce que personne ne le lui a demandé.",
    "On embauche ! {company} cherche un(e) représentant(e) pour la région de {place}. "
    "Écrivez-moi en privé.",
    "Trois leçons de notre salon à {place} :\nArriver avec des rendez-vous déjà pris.\n"
    "Faire le suivi dans les 48 heures.\nPublier un résumé le lundi suivant.",
    "Le « push » fonctionne encore, mais il coûte de plus en plus cher. "
    "Cette année, {n} % de nos nouveaux clients sont venus par recommandation.",
    "Visite d'usine chez un client de {place} aujourd'hui. Rien ne remplace le terrain "
    "pour comprendre un besoin.",
    "Fierté : notre équipe de {sector} vient de livrer son plus gros projet en {place}. "
    "Bravo à tous !",
    "Question aux membres de mon réseau : quel est votre meilleur outil pour garder le contact "
    "avec vos clients entre deux achats ?",
    "La première neige est tombée à {place} et les livraisons continuent. "
    "Merci à nos chauffeurs qui font un travail incroyable.",
    "Webinaire jeudi midi : comment bâtir une stratégie de vente sociale en 30 minutes par "
    "semaine. Lien en commentaire.",
    "Un prospect m'a dit cette semaine : « Je vous lis depuis un an, je savais que je vous "
    "appellerais. » C'est exactement pour ça qu'on publie.",
    "Nouveau partenariat entre {company} et une entreprise de {place}. Hâte de vous en dire plus !",
    "Bilan du trimestre : {n} nouveaux comptes, dont la moitié par des présentations "
    "de clients existants.",
    "Le temps des sucres approche : notre équipe sera à la cabane de {place} samedi. "
    "Passez nous voir !",
)

POSTS_EN: tuple[str, ...] = (
    "Great breakfast meeting with the sales circle in {place} this morning. "
    "Referrals remain our best source of new business.",
    "We are hiring a sales representative for the {place} area. Message me if you know "
    "someone great.",
    "Buyers do most of their homework before they call. Be visible before you are needed.",
    "Proud of the {company} team: {n} new accounts this quarter, half of them referrals.",
    "Three takeaways from this week's trade show in {place}:\nBook meetings before you go.\n"
    "Follow up within 48 hours.\nShare a recap the following Monday.",
)

COMMENTS_FR: tuple[str, ...] = (
    "Tout à fait d'accord, merci pour le partage !",
    "Bravo à toute l'équipe !",
    "Très pertinent. On vit la même chose en {sector}.",
    'Comme dit mon mentor : "on ne vend pas, on aide à acheter".',
    "Félicitations, c'est bien mérité.",
    "Excellent rappel. Je le partage avec mon équipe.",
    "Hâte d'en discuter au prochain déjeuner du cercle.",
    "Belle initiative à {place} !",
)

COMMENTS_EN: tuple[str, ...] = (
    "Congratulations, well deserved!",
    'Love the "be seen before you are called" idea.',
    "Great insight, thanks for sharing.",
)

MESSAGES: tuple[str, ...] = (
    "Bonjour, merci pour l'invitation ! Au plaisir d'échanger.",
    "Salut, est-ce que tu aurais quelques minutes la semaine prochaine pour un café ?",
    "Merci pour la présentation, je l'ai contacté ce matin.",
    "Bonjour, je vous écris de la part d'un membre du cercle. "
    "Il m'a parlé de vos besoins en {sector}.",
    "Parfait, on se voit jeudi à {place}.",
    "Hi, thanks for connecting! Happy to chat anytime.",
    "Je vous envoie la proposition d'ici vendredi.",
    "Bonne nouvelle : le client a signé !",
)

RECOMMENDATIONS: tuple[str, ...] = (
    "J'ai travaillé avec {name} pendant trois ans. Un sens de l'écoute rare et une rigueur "
    "exemplaire dans les suivis.",
    "{name} connaît son marché mieux que personne et sait bâtir la confiance avec les clients.",
    "Toujours de bon conseil : {name} a transformé notre façon de prospecter.",
    "{name} is a trusted advisor who always puts the client first.",
)

SKILLS: tuple[str, ...] = (
    "Vente", "Développement des affaires", "Négociation", "Gestion de comptes clés",
    "Prospection", "Service à la clientèle", "Gestion d'équipe", "Sales", "CRM",
    "Vente-conseil", "Planification stratégique", "Marketing",
)  # fmt: skip

HEADLINES: tuple[str, ...] = (
    "{position} chez {company}",
    "{position} | {company} | J'aide les entreprises de {place} à croître",
    "{position} – {company}",
)

SUMMARIES: tuple[str, ...] = (
    "Plus de {n} ans en vente B2B au Québec. J'accompagne les entreprises de {place} dans leur "
    "croissance.",
    "Passionné(e) de vente-conseil, de relations durables et de développement régional.",
)

COACH_HEADLINE = "Coach en vente sociale | Animateur de cercles de directeurs des ventes"
COACH_SUMMARY = (
    "J'aide les directeurs des ventes du Québec à être vus, reconnus puis recommandés. "
    "Animateur du Cercle des directeurs des ventes."
)


def fill(template: str, rng: random.Random, **values: str) -> str:
    """Fill a template's placeholders; {n} gets a plausible number."""
    return template.format(n=str(rng.randint(5, 40)), **values)


# --- other networks ---------------------------------------------------------------------------

# Short posts for X, Mastodon and Bluesky (under 280 characters).
SHORT_POSTS_FR: tuple[str, ...] = (
    "Déjeuner du cercle des ventes ce matin à {place}. Sujet du jour : demander la "
    "recommandation sans gêne.",
    "Un client satisfait qui ne vous recommande pas, c'est souvent qu'on ne lui a rien demandé.",
    "Trois rendez-vous pris cette semaine grâce à des présentations de clients. "
    "Le bouche-à-oreille, ça se cultive.",
    "Quelqu'un a un bon outil pour suivre ses relances clients ? Je cherche encore.",
    "Salon de l'industrie à {place} jeudi : qui y sera ?",
    "La prospection à froid coûte de plus en plus cher. Être vu avant d'être appelé coûte moins.",
    "Belle victoire pour l'équipe de {company} aujourd'hui. Fier de ce groupe !",
    "Lecture de la fin de semaine : comment les acheteurs B2B choisissent leurs fournisseurs. "
    "Sans surprise, ils demandent à leurs pairs.",
    "En route vers {place} ce matin. Rien ne remplace une visite chez le client.",
    "{n} % de nos nouveaux clients cette année sont venus par recommandation. On continue !",
)

SHORT_POSTS_EN: tuple[str, ...] = (
    "Breakfast with the sales circle in {place} this morning: referrals beat cold calls.",
    "Anyone at the {place} trade show on Thursday? Let's meet.",
    "Be visible before you are needed. Buyers ask their peers first.",
)

# Facebook: more personal and local than LinkedIn.
FACEBOOK_POSTS_FR: tuple[str, ...] = (
    "Quelle belle soirée au tournoi de golf de la Chambre de commerce de {place} ! "
    "Merci aux organisateurs.",
    "Fiers de commanditer l'équipe de hockey mineur de {place} encore cette année.",
    "{company} recrute ! Partagez autour de vous : on cherche une perle pour la région de {place}.",
    "Souper de Noël de l'équipe ce soir. Merci à tous pour cette belle année !",
    "Portes ouvertes chez {company} samedi : venez nous voir en famille, il y aura du café "
    "et des beignes.",
    "Fin de semaine au chalet. Déconnexion totale (ou presque).",
    "Bravo à nos employés qui ont couru pour la fondation de l'hôpital de {place} !",
)

FACEBOOK_POSTS_EN: tuple[str, ...] = (
    "Great evening at the {place} Chamber of Commerce golf tournament!",
    "{company} is hiring in {place}: please share.",
)

BIOS: tuple[str, ...] = (
    "{position} chez {company}. Vente B2B, région de {place}.",
    "{position} | {company} | Québec",
    "Vente-conseil et développement des affaires à {place}. Opinions personnelles.",
)

COACH_BIO = "Coach en vente sociale. J'aide les directeurs des ventes du Québec à être recommandés."
