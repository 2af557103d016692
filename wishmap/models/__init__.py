"""Every table of Wishmap; importing this package registers them all on Base.metadata."""

# Registers the statistics triggers' install after create_all (the module holds no table).
from wishmap.models import statistics_triggers
from wishmap.models.account_token import AccountToken, TokenPurpose
from wishmap.models.activity_code import ActivityCode
from wishmap.models.aggregates import DemandCellCount, DemandGrid, PremiseTypeCount
from wishmap.models.analysis_run import AnalysisRun
from wishmap.models.api_token import ApiToken
from wishmap.models.application import Application, ApplicationStatus
from wishmap.models.audit_entry import AuditEntry
from wishmap.models.candidacy import Candidacy
from wishmap.models.claim import Claim, ClaimStatus
from wishmap.models.district import District
from wishmap.models.district_nesting import DistrictPair
from wishmap.models.hotspot import Hotspot
from wishmap.models.notification import Notification
from wishmap.models.oidc_identity import OidcIdentity
from wishmap.models.premise import Premise, PremiseStatus
from wishmap.models.premise_follow import PremiseFollow
from wishmap.models.premise_gap import PremiseGap
from wishmap.models.premise_news import PremiseNews, PremiseNewsKind
from wishmap.models.premise_zone import PremiseZone
from wishmap.models.report import Report, ReportStatus
from wishmap.models.shop import Shop
from wishmap.models.shop_type import ShopType
from wishmap.models.site_text import SiteText
from wishmap.models.statistics_aggregates import (
    StatCrossDay,
    StatCrossDayPair,
    StatDay,
    StatDayPair,
    StatLevel,
)
from wishmap.models.street import Street
from wishmap.models.street_demand import StreetDemand
from wishmap.models.type_exclusion import TypeExclusion
from wishmap.models.user import Role, User
from wishmap.models.wish import VOICE_STATUSES, Wish, WishFrequency, WishStatus
from wishmap.models.wish_district import WishDistrict
from wishmap.models.wish_origin import WishOrigin
from wishmap.models.zoning_area import ZoningArea

__all__ = [
    "VOICE_STATUSES",
    "AccountToken",
    "ActivityCode",
    "AnalysisRun",
    "ApiToken",
    "Application",
    "ApplicationStatus",
    "AuditEntry",
    "Candidacy",
    "Claim",
    "ClaimStatus",
    "DemandCellCount",
    "DemandGrid",
    "District",
    "DistrictPair",
    "Hotspot",
    "Notification",
    "OidcIdentity",
    "Premise",
    "PremiseFollow",
    "PremiseGap",
    "PremiseNews",
    "PremiseNewsKind",
    "PremiseStatus",
    "PremiseTypeCount",
    "PremiseZone",
    "Report",
    "ReportStatus",
    "Role",
    "Shop",
    "ShopType",
    "SiteText",
    "StatCrossDay",
    "StatCrossDayPair",
    "StatDay",
    "StatDayPair",
    "StatLevel",
    "Street",
    "StreetDemand",
    "TokenPurpose",
    "TypeExclusion",
    "User",
    "Wish",
    "WishDistrict",
    "WishFrequency",
    "WishOrigin",
    "WishStatus",
    "ZoningArea",
    "statistics_triggers",
]
