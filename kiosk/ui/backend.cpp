// The one file that includes GLFW (see backend.hpp).
#include "kiosk/ui/backend.hpp"

#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#define GLFW_INCLUDE_NONE
#include <GL/gl.h>
#include <GL/glext.h>
#include <GLFW/glfw3.h>

#include <atomic>
#include <cstdint>
#include <cstring>

namespace minsheng::kiosk::ui {

namespace {

std::atomic<int> g_inputEvents{0};
std::string g_lastGlfwError;

GLFWwindow* win(void* w) {
    return static_cast<GLFWwindow*>(w);
}

// Installed before ImGui's, which chains to them: they only count events so the frame loop
// knows to render settle frames and to reset the idle timer.
void onMouseButton(GLFWwindow*, int, int, int) {
    ++g_inputEvents;
}
void onCursor(GLFWwindow*, double, double) {
    ++g_inputEvents;
}
void onKey(GLFWwindow*, int, int, int, int) {
    ++g_inputEvents;
}
void onChar(GLFWwindow*, unsigned int) {
    ++g_inputEvents;
}
void onScroll(GLFWwindow*, double, double) {
    ++g_inputEvents;
}
void onSize(GLFWwindow*, int, int) {
    ++g_inputEvents;
}
void onRefresh(GLFWwindow*) {
    ++g_inputEvents; // exposed (e.g. after a screen blanker): draw again
}

} // namespace

Backend::~Backend() {
    if (m_fontTexture) {
        const GLuint tex = m_fontTexture;
        glDeleteTextures(1, &tex);
    }
    if (m_imguiReady) {
        ImGui_ImplOpenGL3_Shutdown();
        ImGui_ImplGlfw_Shutdown();
    }
    if (m_window)
        glfwDestroyWindow(win(m_window));
    glfwTerminate();
}

std::optional<std::string> Backend::open(const Options& o) {
    glfwSetErrorCallback([](int, const char* d) { g_lastGlfwError = d ? d : ""; });
    if (!glfwInit()) {
        return "cannot connect to the display (" + g_lastGlfwError +
               "); is DISPLAY set and the X server running?";
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    // ImGui draws with neither depth nor stencil test. Without them Mesa's software renderer
    // allocates no depth-stencil buffer: 8 MB less at 1920×1080.
    glfwWindowHint(GLFW_DEPTH_BITS, 0);
    glfwWindowHint(GLFW_STENCIL_BITS, 0);
    GLFWmonitor* monitor = nullptr;
    int w = o.width, h = o.height;
    if (o.fullscreen) {
        monitor = glfwGetPrimaryMonitor();
        if (const GLFWvidmode* mode = monitor ? glfwGetVideoMode(monitor) : nullptr) {
            w = mode->width;
            h = mode->height;
        }
    } else {
        glfwWindowHint(GLFW_DECORATED, GLFW_FALSE);
        glfwWindowHint(GLFW_RESIZABLE, GLFW_FALSE);
    }
    GLFWwindow* window = glfwCreateWindow(w, h, o.title.c_str(), monitor, nullptr);
    if (!window) {
        return "cannot create an OpenGL 3.3 window (" + g_lastGlfwError +
               "); install libgl1-mesa-dri for software rendering";
    }
    m_window = window;
    if (!o.fullscreen)
        glfwSetWindowPos(window, 0, 0);
    glfwMakeContextCurrent(window);
    glfwSwapInterval(1);
    glfwSetMouseButtonCallback(window, onMouseButton);
    glfwSetCursorPosCallback(window, onCursor);
    glfwSetKeyCallback(window, onKey);
    glfwSetCharCallback(window, onChar);
    glfwSetScrollCallback(window, onScroll);
    glfwSetFramebufferSizeCallback(window, onSize);
    glfwSetWindowRefreshCallback(window, onRefresh);
    if (!ImGui_ImplGlfw_InitForOpenGL(window, true) || !ImGui_ImplOpenGL3_Init("#version 330"))
        return "cannot initialise the ImGui GLFW/OpenGL3 backends";
    m_imguiReady = true;
    // The backend creates its shaders and buffers on the first frame, together with an RGBA
    // copy of the font atlas. Create them now against a throw-away atlas instead, so that the
    // real atlas is only ever uploaded as one channel (reloadFontTexture).
    ImGuiIO& io = ImGui::GetIO();
    ImFontAtlas* atlas = io.Fonts;
    {
        ImFontAtlas placeholder;
        io.Fonts = &placeholder;
        ImGui_ImplOpenGL3_CreateDeviceObjects();
        ImGui_ImplOpenGL3_DestroyFontsTexture();
        io.Fonts = atlas;
    }
    reloadFontTexture();
    return std::nullopt;
}

void Backend::waitEvents(double timeoutSeconds) {
    if (timeoutSeconds < 0)
        glfwWaitEvents();
    else
        glfwWaitEventsTimeout(timeoutSeconds);
}

void Backend::pollEvents() {
    glfwPollEvents();
}

void Backend::wake() {
    glfwPostEmptyEvent();
}

int Backend::takeInputCount() {
    return g_inputEvents.exchange(0);
}

bool Backend::shouldClose() const {
    return glfwWindowShouldClose(win(m_window));
}

double Backend::time() const {
    return glfwGetTime();
}

void Backend::newFrame() {
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
}

void Backend::render(float r, float g, float b, std::vector<std::uint8_t>* capture) {
    int fw = 0, fh = 0;
    glfwGetFramebufferSize(win(m_window), &fw, &fh);
    glViewport(0, 0, fw, fh);
    glClearColor(r, g, b, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    if (capture) {
        capture->resize(static_cast<std::size_t>(fw) * fh * 4);
        glPixelStorei(GL_PACK_ALIGNMENT, 1);
        glReadBuffer(GL_BACK);
        glReadPixels(0, 0, fw, fh, GL_RGBA, GL_UNSIGNED_BYTE, capture->data());
        // OpenGL's first row is the bottom one; PNG's is the top.
        const std::size_t row = static_cast<std::size_t>(fw) * 4;
        std::vector<std::uint8_t> tmp(row);
        for (int y = 0; y < fh / 2; ++y) {
            std::uint8_t* a = capture->data() + row * y;
            std::uint8_t* c = capture->data() + row * (fh - 1 - y);
            std::memcpy(tmp.data(), a, row);
            std::memcpy(a, c, row);
            std::memcpy(c, tmp.data(), row);
        }
    }
    glfwSwapBuffers(win(m_window));
}

// The font atlas as a one-channel texture. ImGui's OpenGL3 backend would upload it as RGBA,
// four bytes a texel (16 MB for 2048×2048, held again by Mesa's software renderer, and a third
// time in the CPU-side conversion while a rebuild is uploaded). Glyphs only need coverage: the
// alpha channel goes up alone and the sampler swizzles it to (1, 1, 1, a), which is what the
// backend's shader read from the RGBA texture.
void Backend::reloadFontTexture() {
    ImGuiIO& io = ImGui::GetIO();
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsAlpha8(&pixels, &w, &h);
    GLint previous = 0;
    glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous);
    GLuint tex = m_fontTexture;
    if (!tex) {
        glGenTextures(1, &tex);
        m_fontTexture = tex;
    }
    glBindTexture(GL_TEXTURE_2D, tex);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    const GLint swizzle[4] = {GL_ONE, GL_ONE, GL_ONE, GL_RED};
    glTexParameteriv(GL_TEXTURE_2D, GL_TEXTURE_SWIZZLE_RGBA, swizzle);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_R8, w, h, 0, GL_RED, GL_UNSIGNED_BYTE, pixels);
    glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(previous));
    io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(tex)));
}

WindowGeometry Backend::geometry() const {
    WindowGeometry g;
    glfwGetWindowPos(win(m_window), &g.x, &g.y);
    glfwGetWindowSize(win(m_window), &g.width, &g.height);
    return g;
}

int Backend::framebufferWidth() const {
    int w = 0, h = 0;
    glfwGetFramebufferSize(win(m_window), &w, &h);
    return w;
}

int Backend::framebufferHeight() const {
    int w = 0, h = 0;
    glfwGetFramebufferSize(win(m_window), &w, &h);
    return h;
}

} // namespace minsheng::kiosk::ui
