#include "web/assets.h"

// Each file's bytes between two symbols, read by the assembler at build time (.incbin): no
// generated source, no copy at start-up. ONAIR_WEB_DIR, ONAIR_DASHJS, ONAIR_UPLOT and
// ONAIR_RUNBOOKS come from CMake.
#define ONAIR_EMBED(name, file)                                                               \
  asm(".pushsection .rodata\n.balign 16\n.global " #name "_begin\n" #name                     \
      "_begin:\n.incbin \"" file "\"\n.global " #name "_end\n" #name "_end:\n.popsection\n"); \
  extern "C" const char name##_begin[], name##_end[];

ONAIR_EMBED(onair_web_watch_html, ONAIR_WEB_DIR "/player/watch.html")
ONAIR_EMBED(onair_web_watch_js, ONAIR_WEB_DIR "/player/watch.js")
ONAIR_EMBED(onair_web_dashjs, ONAIR_DASHJS)
ONAIR_EMBED(onair_web_control_html, ONAIR_WEB_DIR "/control/control.html")
ONAIR_EMBED(onair_web_control_js, ONAIR_WEB_DIR "/control/control.js")
ONAIR_EMBED(onair_web_uplot_js, ONAIR_UPLOT "/uPlot.iife.min.js")
ONAIR_EMBED(onair_web_uplot_css, ONAIR_UPLOT "/uPlot.min.css")
ONAIR_EMBED(onair_web_runbooks, ONAIR_RUNBOOKS)

namespace onair::web {
namespace {

std::string_view Bytes(const char* begin, const char* end) {
  return {begin, static_cast<size_t>(end - begin)};
}

}  // namespace

const Asset* FindAsset(std::string_view path) {
  static const Asset kPage{"text/html; charset=utf-8",
                           Bytes(onair_web_watch_html_begin, onair_web_watch_html_end)};
  static const Asset kScript{"text/javascript; charset=utf-8",
                             Bytes(onair_web_watch_js_begin, onair_web_watch_js_end)};
  static const Asset kDash{"text/javascript; charset=utf-8",
                           Bytes(onair_web_dashjs_begin, onair_web_dashjs_end), true};
  static const char* kJs = "text/javascript; charset=utf-8";
  static const Asset kControl{"text/html; charset=utf-8",
                              Bytes(onair_web_control_html_begin, onair_web_control_html_end)};
  static const Asset kControlJs{kJs, Bytes(onair_web_control_js_begin, onair_web_control_js_end)};
  static const Asset kUplotJs{kJs, Bytes(onair_web_uplot_js_begin, onair_web_uplot_js_end), true};
  static const Asset kUplotCss{"text/css; charset=utf-8",
                               Bytes(onair_web_uplot_css_begin, onair_web_uplot_css_end), true};
  static const Asset kRunbooks{"text/plain; charset=utf-8",
                               Bytes(onair_web_runbooks_begin, onair_web_runbooks_end)};
  if (path.starts_with("/watch/") && path.size() > 7) return &kPage;
  if (path == "/control") return &kControl;
  if (path == "/control/control.js") return &kControlJs;
  if (path == "/control/uPlot.iife.min.js") return &kUplotJs;
  if (path == "/control/uPlot.min.css") return &kUplotCss;
  if (path == "/control/runbooks") return &kRunbooks;
  if (path == "/web/watch.js") return &kScript;
  if (path == "/web/dash.mediaplayer.min.js") return &kDash;
  return nullptr;
}

}  // namespace onair::web
