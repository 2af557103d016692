"""Words of official activity nomenclatures that name a shop type (or, None, deliberately none).

Pure data, no Flask. Matching a code's label (services/activity_codes.py) looks for the
taxonomy's own labels and aliases (wishmap/taxonomy.py) and these phrases as whole words; the
match that starts first in the label wins, the longest on a tie, so "Boulangerie - Boulangerie
Pâtisserie" is a bakery and "Salle de sport" a gym. Phrases are folded by taxonomy.normalise.
A city adds its own nomenclature's words here.
"""

from __future__ import annotations

SYNONYMS: dict[str, str | None] = {
    # Food (Paris BDCOM "CA…")
    "charcuterie": "deli",
    "traiteur": "deli",
    "epicerie fine": "deli",
    "torrefacteur": "deli",
    "boulangerie": "bakery",
    "patisserie": "pastry",
    "confiserie": "chocolate",
    "fruits et legumes": "greengrocer",
    "boucherie": "butcher",
    "poissonnerie": "seafood",
    "commerce detail de boissons": "wine",
    "cremerie": "cheese",
    "fromagerie": "cheese",
    "glacier": "ice_cream",
    "produits alimentaires bio": "convenience",
    "produits alimentaires specialises": "deli",
    "produits surgeles": "supermarket",
    "monoprix": "supermarket",
    "supermarche": "supermarket",
    "hypermarche": "supermarket",
    "alimentation generale": "convenience",
    "superette": "convenience",
    # Clothes, shoes, fashion
    "haute couture": "clothes",
    "pret a porter": "clothes",
    "tenues de mariees": "clothes",
    "chaussures": "clothes",
    "friperie": "second_hand",
    "depot vente": "second_hand",
    "brocante": "second_hand",
    "tailleur": "tailor",
    "retouches": "tailor",
    # Health and beauty
    "pharmacie": "pharmacy",
    "parapharmacie": "chemist",
    "articles medicaux": "medical_supply",
    "protheses auditives": "medical_supply",
    "parfumerie": "cosmetics",
    "opticien": "optician",
    "coiffure": "hairdresser",
    "institut de beaute": "beauty",
    "onglerie": "beauty",
    # Culture and leisure
    "librairie": "books",
    "livres anciens": "books",
    "papeterie": "stationery",
    "vente de journaux": "newsagent",
    "kiosque a journaux": "newsagent",
    "loisirs creatifs": "craft",
    "generaliste sport": "sports",
    "specialiste d un sport": "sports",
    "sport habillement": "sports",
    "velos": "bicycle",
    "galerie d art": "art",
    "instruments de musique": "musical_instrument",
    "telephonie": "mobile_phone",
    "disques": "music",
    "appareils photos": "photo",
    "pellicule photo": "photo",
    "materiel informatique": "computer",
    "jouets": "toys",
    "salle de sport": "fitness_centre",
    "salle multisports": "fitness_centre",
    # Home, garden, repairs
    "quincaillerie": "hardware",
    "bricolage": "hardware",
    "fleuriste": "florist",
    "cordonnerie": "shoemaker",
    "blanchisserie": "dry_cleaning",
    "pressing": "dry_cleaning",
    "laverie": "laundry",
    # Eating and drinking
    "restaurant": "restaurant",
    "brasserie": "restaurant",
    "cafeteria": "restaurant",
    "restauration rapide": "restaurant",
    "salon de the": "cafe",
    "cafe tabac": "cafe",
    "bar ou cafe": "bar",
    # Services
    "bureau de poste": "post_office",
    # Labels that contain a type's word but are not that shop: matched, and left unmapped.
    "libre service informatique": None,
    "commerce de gros": None,
    "studio de reportages photographiques": None,
    "livraison a domicile": None,
    "location de materiel de bricolage": None,
    "art de la table": None,  # tableware, not an art gallery
    "cours": None,  # lessons ("Cours … informatique"), not a computer shop
    "en boutique": None,  # Paris "Bureau en boutique": an office in a shop, not a boutique
}
