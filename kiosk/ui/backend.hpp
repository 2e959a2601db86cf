// Backend: the window system, behind one small class (Tracy's idea). This is the only file pair
// of the project that includes GLFW; screens see ImGui and the kiosk core only.
//
// It opens one window with an OpenGL 3.3 core context, wires Dear ImGui's GLFW and OpenGL3
// backends to it, and offers what the frame loop needs: wait for events up to a deadline,
// wake from another thread, start and present a frame, read the pixels back for a screenshot.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace minsheng::kiosk::ui {

struct WindowGeometry {
    int x = 0;
    int y = 0;
    int width = 0;
    int height = 0;
};

class Backend {
public:
    struct Options {
        bool fullscreen = true;
        int width = 1920; // windowed only
        int height = 1080;
        std::string title = "Minsheng";
    };

    Backend() = default;
    ~Backend();
    Backend(const Backend&) = delete;
    Backend& operator=(const Backend&) = delete;

    /// Creates the window and context and initialises ImGui's platform and renderer backends
    /// (the ImGui context must exist). nullopt on success, else a sentence saying what failed.
    std::optional<std::string> open(const Options& options);

    /// Blocks until an input event, a wake() or `timeoutSeconds` (< 0: no timeout).
    void waitEvents(double timeoutSeconds);
    void pollEvents();
    /// Thread-safe: wakes waitEvents (glfwPostEmptyEvent).
    static void wake();

    /// Input events (mouse, touch, keys) seen since the last call.
    int takeInputCount();
    bool shouldClose() const;
    double time() const; // seconds, monotonic

    void newFrame();
    /// Renders ImGui's draw data; with `capture`, reads the frame back (RGBA, top row first)
    /// before presenting it.
    void render(float r, float g, float b, std::vector<std::uint8_t>* capture = nullptr);
    /// Uploads the font atlas again after it was rebuilt (new characters to show).
    void reloadFontTexture();
    WindowGeometry geometry() const;
    /// Framebuffer size in pixels.
    int framebufferWidth() const;
    int framebufferHeight() const;

private:
    void* m_window = nullptr; // GLFWwindow*, kept opaque so this header needs no GLFW
    bool m_imguiReady = false;
    unsigned int m_fontTexture = 0; // GLuint: the atlas, one byte a texel (backend.cpp)
};

} // namespace minsheng::kiosk::ui
