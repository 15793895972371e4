#include "modir/objective/term.h"

namespace modir::objective {

const char* group_name(ObjectiveGroup group) {
  switch (group) {
    case ObjectiveGroup::kImage: return "image";
    case ObjectiveGroup::kGuidance: return "guidance";
    case ObjectiveGroup::kDeformation: return "deformation";
  }
  return "unknown";
}

}  // namespace modir::objective
