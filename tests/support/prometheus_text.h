// Test helper: a strict reader of the Prometheus text exposition format
// (0.0.4), so that tests parse what /metrics serves instead of matching
// substrings. It accepts only what the format allows: # HELP and # TYPE
// lines before a family's samples, metric and label names from their
// alphabets, quoted label values with \\ \" \n escapes, and a float value.
#pragma once

#include <cctype>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace account::testing {

struct PrometheusSample {
  std::string name;                           // e.g. account_store_commit_seconds_bucket
  std::map<std::string, std::string> labels;  // unescaped values
  double value = 0;
};

struct PrometheusFamily {
  std::string name;
  std::string help;
  std::string type;  // counter, gauge, histogram
  std::vector<PrometheusSample> samples;
};

struct PrometheusText {
  std::vector<PrometheusFamily> families;
  std::string error;  // empty when the text parsed

  const PrometheusFamily* family(std::string_view name) const {
    for (const PrometheusFamily& f : families) {
      if (f.name == name) return &f;
    }
    return nullptr;
  }
  // The value of the one sample with this name and exactly these labels.
  std::optional<double> value(std::string_view name,
                              const std::map<std::string, std::string>& labels = {}) const {
    for (const PrometheusFamily& f : families) {
      for (const PrometheusSample& s : f.samples) {
        if (s.name == name && s.labels == labels) return s.value;
      }
    }
    return std::nullopt;
  }
};

namespace prometheus_detail {

inline bool metric_name_ok(std::string_view n) {
  if (n.empty()) return false;
  for (size_t i = 0; i < n.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(n[i]);
    const bool ok = std::isalpha(c) || c == '_' || c == ':' || (i > 0 && std::isdigit(c));
    if (!ok) return false;
  }
  return true;
}

inline bool label_name_ok(std::string_view n) {
  if (n.empty()) return false;
  for (size_t i = 0; i < n.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(n[i]);
    if (!(std::isalpha(c) || c == '_' || (i > 0 && std::isdigit(c)))) return false;
  }
  return true;
}

// The family a sample belongs to: histograms add _bucket, _sum and _count.
inline bool belongs(std::string_view sample, const PrometheusFamily& f) {
  if (sample == f.name) return f.type != "histogram";
  if (f.type != "histogram") return false;
  for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
    if (sample.size() == f.name.size() + suffix.size() && sample.substr(0, f.name.size()) == f.name &&
        sample.substr(f.name.size()) == suffix) {
      return true;
    }
  }
  return false;
}

inline bool parse_value(std::string_view text, double* out) {
  if (text == "+Inf") { *out = __builtin_huge_val(); return true; }
  if (text == "-Inf") { *out = -__builtin_huge_val(); return true; }
  if (text == "NaN") { *out = __builtin_nan(""); return true; }
  const std::string s(text);
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return !s.empty() && end == s.c_str() + s.size();
}

}  // namespace prometheus_detail

inline PrometheusText parse_prometheus_text(std::string_view text) {
  using namespace prometheus_detail;
  PrometheusText out;
  auto fail = [&](size_t line_no, std::string_view why, std::string_view line) {
    out.error = "line " + std::to_string(line_no) + ": " + std::string(why) + ": " + std::string(line);
    return out;
  };
  if (!text.empty() && text.back() != '\n') return fail(0, "text must end with a newline", "");
  size_t line_no = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    ++line_no;
    if (line.empty()) continue;
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
      const bool help = line[2] == 'H';
      std::string_view rest = line.substr(7);
      const size_t sp = rest.find(' ');
      if (sp == std::string_view::npos) return fail(line_no, "no text after the name", line);
      const std::string name(rest.substr(0, sp));
      if (!metric_name_ok(name)) return fail(line_no, "bad metric name", line);
      if (out.families.empty() || out.families.back().name != name) {
        if (out.family(name) != nullptr) return fail(line_no, "family split in two", line);
        out.families.push_back(PrometheusFamily{name, "", "", {}});
      }
      PrometheusFamily& f = out.families.back();
      if (!f.samples.empty()) return fail(line_no, "HELP/TYPE after samples", line);
      if (help) {
        f.help = std::string(rest.substr(sp + 1));
      } else {
        f.type = std::string(rest.substr(sp + 1));
        if (f.type != "counter" && f.type != "gauge" && f.type != "histogram") {
          return fail(line_no, "unknown type", line);
        }
      }
      continue;
    }
    if (line[0] == '#') continue;  // A comment.
    PrometheusSample sample;
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    sample.name = std::string(line.substr(0, i));
    if (!metric_name_ok(sample.name)) return fail(line_no, "bad sample name", line);
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        size_t eq = line.find('=', i);
        if (eq == std::string_view::npos) return fail(line_no, "label without =", line);
        const std::string label(line.substr(i, eq - i));
        if (!label_name_ok(label)) return fail(line_no, "bad label name", line);
        i = eq + 1;
        if (i >= line.size() || line[i] != '"') return fail(line_no, "label value not quoted", line);
        ++i;
        std::string value;
        while (i < line.size() && line[i] != '"') {
          if (line[i] == '\\') {
            if (i + 1 >= line.size()) return fail(line_no, "dangling escape", line);
            const char e = line[i + 1];
            if (e == 'n') value += '\n';
            else if (e == '\\' || e == '"') value += e;
            else return fail(line_no, "bad escape", line);
            i += 2;
          } else {
            value += line[i++];
          }
        }
        if (i >= line.size()) return fail(line_no, "unterminated label value", line);
        ++i;  // closing quote
        if (!sample.labels.emplace(label, value).second) return fail(line_no, "repeated label", line);
        if (i < line.size() && line[i] == ',') ++i;
      }
      if (i >= line.size()) return fail(line_no, "unterminated labels", line);
      ++i;  // '}'
    }
    if (i >= line.size() || line[i] != ' ') return fail(line_no, "no value", line);
    std::string_view value_text = line.substr(i + 1);
    if (const size_t sp = value_text.find(' '); sp != std::string_view::npos) {
      value_text = value_text.substr(0, sp);  // A timestamp may follow.
    }
    if (!parse_value(value_text, &sample.value)) return fail(line_no, "bad value", line);
    if (out.families.empty() || !belongs(sample.name, out.families.back())) {
      return fail(line_no, "sample outside its family (or before its TYPE)", line);
    }
    out.families.back().samples.push_back(std::move(sample));
  }
  for (const PrometheusFamily& f : out.families) {
    if (f.type.empty()) return fail(0, "family without TYPE: " + f.name, "");
  }
  return out;
}

}  // namespace account::testing
