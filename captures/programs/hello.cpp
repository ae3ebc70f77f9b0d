// A small C++ translation unit for the g++ capture.
#include <map>
#include <string>
#include <vector>
#include <algorithm>

int count(const std::vector<std::string>& words) {
  std::map<std::string, int> seen;
  for (const auto& w : words) seen[w]++;
  return static_cast<int>(std::count_if(seen.begin(), seen.end(), [](auto& p) { return p.second > 1; }));
}
