"""Decision analysis of PSA output (model-agnostic): CEA, value of information, sensitivity.

Keep this file a plain list of imports; each module adds its own lines.
"""

from __future__ import annotations

from peer_econ.analysis.budget import BudgetLine as BudgetLine
from peer_econ.analysis.budget import budget_by_item as budget_by_item
from peer_econ.analysis.budget import budget_by_payer as budget_by_payer
from peer_econ.analysis.budget import business_case as business_case
from peer_econ.analysis.budget import payback_year as payback_year
from peer_econ.analysis.cea import PSA as PSA
from peer_econ.analysis.cea import CEACurves as CEACurves
from peer_econ.analysis.cea import cea_curves as cea_curves
from peer_econ.analysis.cea import ceac as ceac
from peer_econ.analysis.cea import ceaf as ceaf
from peer_econ.analysis.cea import discounted_population as discounted_population
from peer_econ.analysis.cea import evpi as evpi
from peer_econ.analysis.cea import expected_loss as expected_loss
from peer_econ.analysis.cea import expected_nmb as expected_nmb
from peer_econ.analysis.cea import icer_table as icer_table
from peer_econ.analysis.cea import incremental_nmb as incremental_nmb
from peer_econ.analysis.cea import nhb as nhb
from peer_econ.analysis.cea import nmb as nmb
from peer_econ.analysis.cea import population_evpi as population_evpi
from peer_econ.analysis.cea import psa_summary as psa_summary
from peer_econ.analysis.cea import validate_wtp as validate_wtp
from peer_econ.analysis.cea import wtp_switch_points as wtp_switch_points
from peer_econ.analysis.dsa import max_cost_thresholds as max_cost_thresholds
from peer_econ.analysis.dsa import owsa as owsa
from peer_econ.analysis.dsa import thresholds as thresholds
from peer_econ.analysis.dsa import twsa as twsa
from peer_econ.analysis.dsa import wtp_thresholds as wtp_thresholds
from peer_econ.analysis.evsi import TwoArmUtilityTrial as TwoArmUtilityTrial
from peer_econ.analysis.evsi import enbs as enbs
from peer_econ.analysis.evsi import evsi_by_sample_size as evsi_by_sample_size
from peer_econ.analysis.evsi import evsi_regression as evsi_regression
from peer_econ.analysis.evsi import optimal_sample_size as optimal_sample_size
from peer_econ.analysis.gsa import delta_indices as delta_indices
from peer_econ.analysis.gsa import morris_indices as morris_indices
from peer_econ.analysis.gsa import sobol_indices as sobol_indices
from peer_econ.analysis.voi import evppi as evppi
from peer_econ.analysis.voi import evppi_curves as evppi_curves
from peer_econ.analysis.voi import evppi_nested as evppi_nested
from peer_econ.analysis.voi import evppi_ranking as evppi_ranking
