"""Memory Lab: benchmark datasets, a scenario generator, metrics, result files and plots.

Qt-free so the benchmark CLI, the tests and the GUI share it. `plots` is not imported here:
it loads matplotlib lazily and only when a chart is asked for.
"""

from __future__ import annotations

from agent_core.memlab.dataset import Conversation, Dataset, ImportProblem, Question, Session, Turn
from agent_core.memlab.importers import DatasetFormatError, load_locomo, load_longmemeval
from agent_core.memlab.metrics import retrieval_scores, score_answer, score_question
from agent_core.memlab.results import QuestionRow, RunRecord, print_table
from agent_core.memlab.scenario import generate_scenario

__all__ = [
    "Conversation",
    "Dataset",
    "DatasetFormatError",
    "ImportProblem",
    "Question",
    "QuestionRow",
    "RunRecord",
    "Session",
    "Turn",
    "generate_scenario",
    "load_locomo",
    "load_longmemeval",
    "print_table",
    "retrieval_scores",
    "score_answer",
    "score_question",
]
