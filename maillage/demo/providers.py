"""A Faker provider of fictional Québec companies and French job titles for the demo circle.

Names are assembled from place names, sector words and legal suffixes, so any resemblance to a
real company is accidental and no real company is named on purpose.
"""

from __future__ import annotations

from faker.providers import BaseProvider

PLACES: tuple[str, ...] = (
    "Saint-Roch", "Beauce", "Laurentides", "Charlevoix", "Mauricie", "Estrie", "Outaouais",
    "Saguenay", "Lanaudière", "Montérégie", "Gaspésie", "Bas-Saint-Laurent", "Abitibi",
    "Limoilou", "Sainte-Foy", "Lévis", "Rimouski", "Sherbrooke", "Trois-Rivières", "Chicoutimi",
    "Boucherville", "Laval", "Granby", "Drummond", "Portneuf", "Kamouraska", "Bellechasse",
    "Côte-Nord", "Lac-Saint-Jean", "Vieux-Port", "Saint-Sauveur", "Cap-Rouge", "Val-Bélair",
    "Haute-Yamaska", "Rive-Sud", "Mont-Royal", "Verdun", "Rosemont", "Saint-Hyacinthe",
)  # fmt: skip

SECTORS: tuple[str, ...] = (
    "Boulangerie", "Acier", "Services TI", "Transport", "Construction", "Imprimerie",
    "Distribution", "Plomberie", "Meubles", "Équipements industriels", "Solutions logicielles",
    "Groupe conseil", "Aliments fins", "Emballages", "Portes et fenêtres", "Excavation",
    "Assurances", "Électricité", "Usinage de précision", "Érablière", "Microbrasserie",
    "Laboratoires", "Toitures", "Quincaillerie", "Agence marketing", "Cabinet comptable",
    "Télécom", "Pièces d'auto", "Entrepôts", "Traiteur",
)  # fmt: skip

LEGAL_SUFFIXES: tuple[str, ...] = ("inc.", "inc.", "inc.", "ltée", "ltée", "S.E.N.C.", "")

# (masculine, feminine) so a title agrees with the person it is given to.
DECISION_POSITIONS: tuple[tuple[str, str], ...] = (
    ("Président", "Présidente"),
    ("Directeur des ventes", "Directrice des ventes"),
    ("Vice-président développement des affaires", "Vice-présidente développement des affaires"),
    ("Directeur général", "Directrice générale"),
    ("Président-directeur général", "Présidente-directrice générale"),
    ("Directeur commercial", "Directrice commerciale"),
    ("Copropriétaire", "Copropriétaire"),
    ("Fondateur", "Fondatrice"),
    ("Vice-président ventes et marketing", "Vice-présidente ventes et marketing"),
    ("Directeur de l'approvisionnement", "Directrice de l'approvisionnement"),
    ("Chef des finances", "Chef des finances"),
)

# The circle's members lead sales: directors, VPs and owners of small companies.
LEADER_POSITIONS: tuple[tuple[str, str], ...] = (
    ("Directeur des ventes", "Directrice des ventes"),
    ("Directeur des ventes", "Directrice des ventes"),
    ("Vice-président développement des affaires", "Vice-présidente développement des affaires"),
    ("Directeur commercial", "Directrice commerciale"),
    ("Vice-président ventes et marketing", "Vice-présidente ventes et marketing"),
    ("Président", "Présidente"),
    ("Directeur du développement des affaires", "Directrice du développement des affaires"),
)

OTHER_POSITIONS: tuple[tuple[str, str], ...] = (
    ("Représentant", "Représentante"),
    ("Chargé de comptes", "Chargée de comptes"),
    ("Conseiller aux ventes", "Conseillère aux ventes"),
    ("Coordonnateur marketing", "Coordonnatrice marketing"),
    ("Acheteur", "Acheteuse"),
    ("Technicien comptable", "Technicienne comptable"),
    ("Estimateur", "Estimatrice"),
    ("Adjoint administratif", "Adjointe administrative"),
    ("Développeur de logiciels", "Développeuse de logiciels"),
    ("Conseiller en recrutement", "Conseillère en recrutement"),
    ("Gestionnaire de projets", "Gestionnaire de projets"),
    ("Analyste d'affaires", "Analyste d'affaires"),
    ("Account Manager", "Account Manager"),
    ("Sales Representative", "Sales Representative"),
)

INDUSTRIES: tuple[str, ...] = (
    "Fabrication", "Construction", "Services-conseils", "Technologies de l'information",
    "Commerce de gros", "Transport et logistique", "Alimentation", "Assurances",
)  # fmt: skip


class QuebecBusinessProvider(BaseProvider):
    """Fictional Québec company names and French (sometimes English) job titles."""

    def quebec_place(self) -> str:
        return str(self.random_element(PLACES))

    def quebec_company(self) -> str:
        """E.g. "Boulangerie Saint-Roch inc.", "Acier Beauce ltée", "Services TI Laurentides"."""
        sector, suffix = self.random_element(SECTORS), self.random_element(LEGAL_SUFFIXES)
        return " ".join(part for part in (sector, self.quebec_place(), suffix) if part)

    def quebec_industry(self) -> str:
        return str(self.random_element(INDUSTRIES))

    def sales_leader_position(self, feminine: bool = False) -> str:
        masculine_title, feminine_title = self.random_element(LEADER_POSITIONS)
        return str(feminine_title if feminine else masculine_title)

    def sales_position(self, feminine: bool = False, decision_maker: bool | None = None) -> str:
        """A job title; about a third are decision-makers unless told."""
        if decision_maker is None:
            decision_maker = self.generator.random.random() < 0.35
        pool = DECISION_POSITIONS if decision_maker else OTHER_POSITIONS
        masculine_title, feminine_title = self.random_element(pool)
        return str(feminine_title if feminine else masculine_title)
