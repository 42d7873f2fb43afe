from django.urls import path

from ..views import packets

urlpatterns = [
    path("reviews/packets/", packets.packet_list, name="packets"),
    path("reviews/packets/all/", packets.packet_all, name="packet_all"),
    path("reviews/packets/new/", packets.packet_new, name="packet_new"),
    path("reviews/packets/<int:pk>/", packets.packet_page, name="packet"),
    path("reviews/packets/<int:pk>/evidence/<int:competency>/", packets.packet_evidence, name="packet_evidence"),
    path("reviews/packets/<int:pk>/evidence/<int:competency>/pull/", packets.packet_pull, name="packet_pull"),
    path("reviews/packets/<int:pk>/case/", packets.packet_case, name="packet_case"),
    path("reviews/packets/<int:pk>/sponsor/", packets.packet_sponsor, name="packet_sponsor"),
    path("reviews/packets/<int:pk>/submit/", packets.packet_submit, name="packet_submit"),
    path("reviews/packets/<int:pk>/endorsers/", packets.packet_endorser, name="packet_endorser"),
    path("reviews/packets/<int:pk>/route/", packets.packet_route, name="packet_route"),
    path("reviews/packets/<int:pk>/vote/", packets.packet_vote, name="packet_vote"),
    path("reviews/packets/<int:pk>/decide/", packets.packet_decide, name="packet_decide"),
    path("reviews/packets/<int:pk>/reopen/", packets.packet_reopen, name="packet_reopen"),
    path("reviews/packets/<int:pk>/withdraw/", packets.packet_withdraw, name="packet_withdraw"),
    path("reviews/endorsements/<int:pk>/", packets.endorsement, name="endorsement"),
    path("reviews/packets/fairness/", packets.fairness_page, name="promotion_fairness"),
]
