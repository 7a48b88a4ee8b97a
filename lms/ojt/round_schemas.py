"""Matching round schemas: rounds, preferences, rankings and results."""

import marshmallow as ma

from lms.http import PageArgsSchema
from lms.learners.schemas import PLAIN
from lms.limits import Unique
from lms.ojt.models import MECHANISMS, OUTCOMES, ROUND_STATUSES
from lms.ojt.schemas import DATES, FISCAL_YEAR, PREFECTURE, Id

MAX_PREFERENCES = 20
MAX_RANKING = 2000
REASONS = ("not_ranked", "site_full", "region_full", "blocking_pair")


class RegionInSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=[ma.validate.Length(min=1, max=100), PLAIN])
    prefecture_codes = ma.fields.List(ma.fields.String(validate=PREFECTURE), required=True,
                                      validate=[ma.validate.Length(min=1, max=47), Unique()])
    cap = ma.fields.Integer(required=True, validate=ma.validate.Range(min=0, max=1_000_000),
                            metadata={"description": "At most this many learners are matched in the region"})


class RoundCreateSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=[ma.validate.Length(min=1, max=200), PLAIN])
    fiscal_year = ma.fields.Integer(required=True, validate=FISCAL_YEAR)
    mechanism = ma.fields.String(required=True, validate=ma.validate.OneOf(MECHANISMS))
    regions = ma.fields.List(ma.fields.Nested(RegionInSchema), load_default=list,
                             validate=ma.validate.Length(max=47))
    placement_start_date = ma.fields.Date(validate=DATES, metadata={
        "description": "Start of the placements made on publishing; default 1 April of the fiscal year"})
    placement_end_date = ma.fields.Date(validate=DATES, metadata={
        "description": "End of the placements made on publishing; default 31 March after it"})


class RoundRegionSchema(ma.Schema):
    name = ma.fields.String()
    prefecture_codes = ma.fields.List(ma.fields.String())
    cap = ma.fields.Integer()


class RoundSchema(ma.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    fiscal_year = ma.fields.Integer()
    mechanism = ma.fields.String(validate=ma.validate.OneOf(MECHANISMS))
    regions = ma.fields.List(ma.fields.Nested(RoundRegionSchema))
    placement_start_date = ma.fields.Date()
    placement_end_date = ma.fields.Date()
    status = ma.fields.String(validate=ma.validate.OneOf(ROUND_STATUSES), metadata={
        "description": "open: taking preferences and rankings; matched: the last run is current; "
                       "published: placements made, nothing changes any more"})
    run_at = ma.fields.DateTime(allow_none=True)
    published_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()


class RoundQueryArgsSchema(PageArgsSchema):
    fiscal_year = ma.fields.Integer(validate=FISCAL_YEAR)
    status = ma.fields.String(validate=ma.validate.OneOf(ROUND_STATUSES))


class PreferenceInSchema(ma.Schema):
    enrollment_id = Id(required=True)
    site_ids = ma.fields.List(Id(), required=True,
                              validate=[ma.validate.Length(min=1, max=MAX_PREFERENCES), Unique()],
                              metadata={"description": "Sites in order of preference, first choice first"})


class PreferenceSchema(ma.Schema):
    enrollment_id = ma.fields.String()
    site_ids = ma.fields.List(ma.fields.String())
    submitted_at = ma.fields.DateTime()


class PreferenceQueryArgsSchema(PageArgsSchema):
    enrollment_id = Id()
    site_id = Id()


class RankingInSchema(ma.Schema):
    enrollment_ids = ma.fields.List(Id(), required=True, validate=[ma.validate.Length(max=MAX_RANKING), Unique()],
                                    metadata={"description": "Applicants in order of priority; those left out "
                                                             "are not acceptable to the site"})


class ApplicantSchema(ma.Schema):
    enrollment_id = ma.fields.String()
    prefecture_code = ma.fields.String()
    applied_at = ma.fields.DateTime()
    choice_rank = ma.fields.Integer(metadata={"description": "Where the learner put this site (1 = first)"})


class RankingSchema(ma.Schema):
    site_id = ma.fields.String()
    submitted = ma.fields.Boolean(metadata={"description": "False: the default priority applies"})
    submitted_at = ma.fields.DateTime(allow_none=True)
    enrollment_ids = ma.fields.List(ma.fields.String(), metadata={
        "description": "The order used in a run: the submitted ranking, else the default priority"})
    applicants = ma.fields.List(ma.fields.Nested(ApplicantSchema), metadata={
        "description": "Enrolments that list this site, in default priority order (same prefecture first, "
                       "then earlier application, then enrolment id)"})


class MatchingLossSchema(ma.Schema):
    site_id = ma.fields.String()
    reason = ma.fields.String(validate=ma.validate.OneOf(REASONS))
    lost_to = ma.fields.List(ma.fields.String(), metadata={
        "description": "Enrolments the site holds and ranks above this one, best first"})


class MatchingAssignmentSchema(ma.Schema):
    enrollment_id = ma.fields.String()
    outcome = ma.fields.String(validate=ma.validate.OneOf(OUTCOMES))
    site_id = ma.fields.String(allow_none=True)
    choice_rank = ma.fields.Integer(allow_none=True)
    choices = ma.fields.Integer(metadata={"description": "How many sites the learner listed"})
    excluded_reason = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(
        ("enrollment_not_active", "already_placed")))
    explanation = ma.fields.List(ma.fields.Nested(MatchingLossSchema), metadata={
        "description": "For each site listed above the outcome, why the learner is not there"})
    placement_id = ma.fields.String(allow_none=True)


class MyMatchingLossSchema(ma.Schema):
    site_id = ma.fields.String()
    reason = ma.fields.String(validate=ma.validate.OneOf(REASONS))
    ranked_above = ma.fields.Integer(metadata={
        "description": "How many of the learners the site holds it ranked above the caller (never who)"})


class MyMatchingAssignmentSchema(MatchingAssignmentSchema):
    """The caller's own outcome: the explanation names no other learner."""

    explanation = ma.fields.List(ma.fields.Nested(MyMatchingLossSchema), metadata={
        "description": "For each site listed above the outcome, why the caller is not there"})


class SiteCountSchema(ma.Schema):
    site_id = ma.fields.String()
    name = ma.fields.String()
    prefecture_code = ma.fields.String()
    shortage_area = ma.fields.Boolean()
    region = ma.fields.String(allow_none=True)
    capacity = ma.fields.Integer(metadata={"description": "Remaining annual capacity at the run"})
    target = ma.fields.Integer()
    applicants = ma.fields.Integer()
    matched = ma.fields.Integer()


class RegionCountSchema(ma.Schema):
    name = ma.fields.String()
    cap = ma.fields.Integer()
    capacity = ma.fields.Integer()
    target = ma.fields.Integer()
    matched = ma.fields.Integer()


class BlockingPairSchema(ma.Schema):
    enrollment_id = ma.fields.String()
    site_id = ma.fields.String()


class MatchingResultSchema(ma.Schema):
    round_id = ma.fields.String()
    status = ma.fields.String(validate=ma.validate.OneOf(ROUND_STATUSES))
    mechanism = ma.fields.String(validate=ma.validate.OneOf(MECHANISMS))
    fiscal_year = ma.fields.Integer()
    run_at = ma.fields.DateTime()
    matched = ma.fields.Integer()
    unmatched = ma.fields.Integer()
    excluded = ma.fields.Integer(metadata={"description": "Enrolments no longer active or already placed"})
    shortage_area_placements = ma.fields.Integer()
    blocking_pairs = ma.fields.Integer(metadata={
        "description": "Pairs that would rather be matched to each other, counted against site capacities "
                       "alone (independent check): 0 for deferred acceptance without regions; with regional "
                       "caps it shows what the caps cost"})
    blocking_pair_list = ma.fields.List(ma.fields.Nested(BlockingPairSchema))
    sites = ma.fields.List(ma.fields.Nested(SiteCountSchema))
    regions = ma.fields.List(ma.fields.Nested(RegionCountSchema))
    assignments = ma.fields.List(ma.fields.Nested(MatchingAssignmentSchema))


class PublishResultSchema(ma.Schema):
    round_id = ma.fields.String()
    status = ma.fields.String(validate=ma.validate.OneOf(ROUND_STATUSES))
    published_at = ma.fields.DateTime()
    placements_created = ma.fields.Integer(metadata={"description": "By this call; 0 when already published"})
    placements = ma.fields.Integer(metadata={"description": "Active placements made by this round"})
